"""The shared spider: entry points (listings, feeds, sitemaps), then article pages.

Incremental by default: entry points are fetched with conditional GET, listing
pagination stops at the first page that brings no unknown article or whose last
(oldest) article is already stored, sitemap entries are followed when unknown or when
their lastmod is newer than the dates we stored. `full=True` follows everything
reachable. Requests go to `base_url` (a mirror) when given; stored URLs always use the
source's canonical host. What the run saw is kept in `ledger` for the source's health.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from crawler.extract.article import Extracted, extract_article
from crawler.failures import classify
from crawler.feeds import FeedEntry
from crawler.ledger import RunLedger
from crawler.quality import page_problem
from crawler.settings import scrapy_settings
from crawler.sources import SourceConfig, get_source
from crawler.spiders.entrypoints import EntryPoints, not_text
from crawler.urls import canonicalize, dedupe_key, fetch_url, path_of, same_site
from storage.crawls import known_pages, load_validators
from storage.publications import PublicationInput
from summitwatch.config import get_settings

_PRIORITY = {"listing": 20, "feed": 20, "sitemap": 10, "article": 0}
MIN_FEED_TEXT = 40  # characters a feed entry needs to stand in for its page


class SiteSpider(EntryPoints, scrapy.Spider):
    """Subclasses set `name` (the source slug); everything else comes from the source's configuration."""

    def __init__(
        self,
        base_url: str | None = None,
        full: bool | str = False,
        run_id: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source: SourceConfig = get_source(self.name)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.full = str(full).lower() in {"1", "true", "yes"} if isinstance(full, str) else bool(full)
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.ledger = RunLedger()
        self.known: dict[str, tuple[datetime | None, datetime | None]] = {}
        self.known_urls: list[str] = []
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.scheduled: set[str] = set()
        self.feed_entries: dict[str, FeedEntry] = {}
        self.feeds_seen: set[str] = set()
        self.home_asked = False
        self.validators_to_save: list[tuple[str, str | None, str | None]] = []
        self.stored_now: list[str] = []  # URLs stored by this run (the pipeline adds them)
        self.final_status: tuple[str, str | None] | None = None  # set when the run closes

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Our politeness settings, so `scrapy runspider` / `scrapy crawl` behave like the CLI."""
        settings.setdict(scrapy_settings(), priority="spider")
        super().update_settings(settings)

    # -- bookkeeping -------------------------------------------------------------------

    @property
    def counts(self) -> Any:
        return self.ledger.counts

    @property
    def problems(self) -> list[str]:
        return self.ledger.problems

    def canonical(self, href: str, base: str | None = None) -> str:
        return canonicalize(href, self.source, base=base, mirror=self.base_url)

    def request(self, canonical: str, callback: Any, kind: str, **meta: Any) -> scrapy.Request:
        meta.update(canonical=canonical, kind=kind)
        if self.full and kind != "article":
            meta["conditional"] = False
        if kind == "feed":
            meta.setdefault("download_maxsize", get_settings().crawler.max_feed_bytes)
        elif kind == "sitemap":  # Élysée's publication sitemap alone is about 12 MB
            meta.setdefault("download_maxsize", get_settings().crawler.max_sitemap_bytes)
        return scrapy.Request(
            fetch_url(canonical, self.source, self.base_url),
            callback=callback,
            errback=self.failed,
            meta=meta,
            priority=_PRIORITY[kind],
            # Articles are deduplicated by `article()`; left to Scrapy's filter, a page redirecting
            # to itself would vanish without a word instead of failing as a redirect loop.
            dont_filter=kind == "article",
        )

    def remember(self, response: Response) -> tuple[str, str | None, str | None] | None:
        """The validators of a response, keyed by its canonical URL."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if not etag and not modified:
            return None
        return (
            response.meta["canonical"],
            etag.decode("latin-1") if etag else None,
            modified.decode("latin-1") if modified else None,
        )

    def keep_validators(self, response: Response) -> None:
        """Entry-point validators, saved when the run closes well (articles save theirs with the page)."""
        if validators := self.remember(response):
            self.validators_to_save.append(validators)

    def is_known(self, canonical: str) -> bool:
        return dedupe_key(canonical) in self.known

    # -- start -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        pages = known_pages(self.name)
        self.known = {dedupe_key(u): dates for u, dates in pages.items()}
        self.known_urls = list(pages)
        self.validators = load_validators()
        root = self.source.canonical
        for path in self.source.listings:
            url = self.canonical(path, base=root)
            self.ledger.entry(url, "listing", configured=True)
            yield self.request(url, self.parse_listing, "listing", page=1, listing=url, entry=url)
        for path in (*self.source.feeds, *self.source.extra_feeds):
            url = self.canonical(path, base=root)
            self.feeds_seen.add(dedupe_key(url))
            self.ledger.entry(url, "feed", configured=True)
            extra = path in self.source.extra_feeds
            yield self.request(url, self.parse_feed, "feed", extra=extra, entry=url)
        for path in self.source.sitemaps:
            url = self.canonical(path, base=root)
            self.ledger.entry(url, "sitemap", configured=True)
            yield self.request(url, self.parse_sitemap, "sitemap", entry=url)

    def article(self, canonical: str, **meta: Any) -> scrapy.Request | None:
        """A request for an article page, once per run."""
        key = dedupe_key(canonical)
        if key in self.scheduled:
            return None
        self.scheduled.add(key)
        return self.request(canonical, self.parse_article, "article", **meta)

    # -- articles ----------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        requested = response.meta["canonical"]
        known = self.is_known(requested)
        self.counts["pages"] += 1
        bad = not_text(response)
        if bad is not None:
            yield from self.reject(requested, bad, response, known)
            return
        assert isinstance(response, TextResponse)
        parsed = response.selector  # parsed once, shared by extraction and the checks
        extracted = extract_article(
            response.text, requested, self.source.selectors, self.source.language, parsed
        )
        problem = page_problem(response.body, response.text, extracted, parsed, bytes_checked=True)
        if problem == "anti-bot challenge page":
            self.counts["anti_bot"] += 1
        entry = self.feed_entries.get(dedupe_key(requested))
        if problem == "no article text found" and entry is not None and not known:
            yield from self.feed_item(requested, entry)
            return
        if problem is not None:
            yield from self.reject(requested, problem, response, known)
            return
        sitemap_guess = response.meta.get("via") == "sitemap" and response.meta.get("outside")
        if sitemap_guess and not (extracted.says_article or extracted.published_at):
            self.counts["not_articles"] += 1  # a page of a sitemap no pattern covers, and no article
            self.ledger.skipped.add(dedupe_key(requested))
            return
        self.counts["extracted"] += 1
        if extracted.extracted_by == "fallback":
            self.counts["selector_misses"] += 1
        yield self.page_item(requested, extracted, response)

    def reject(self, url: str, why: str, response: Response, known: bool) -> Iterator[Any]:
        """A page that is no article: a stored one keeps its version (refusal recorded), a new one is skipped."""
        if known:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
            yield {"refusal": {"url": url, "reason": why}, "raw": response.body, "content_type": content_type}
        elif why == "no article text found" or why.startswith("not text"):
            self.counts["empty_pages"] += 1
            self.ledger.skipped.add(dedupe_key(url))
            self.ledger.problem(f"{url}: {why}, skipped", error=False)
        else:
            self.ledger.problem(f"{url}: {why}, not stored")

    def stored_url(self, requested: str, declared: str | None, base: str) -> str:
        """The page's own canonical URL when it names one on the site that is no listing or home page."""
        if not declared:
            return requested
        url = self.canonical(declared, base=base)
        path = path_of(url)
        if same_site(url, self.source) and path != "/" and not self.source.is_listing(path):
            return url
        return requested

    def page_item(self, requested: str, extracted: Extracted, response: TextResponse) -> dict[str, Any]:
        url = self.stored_url(requested, extracted.canonical, response.url)
        entry = self.feed_entries.get(dedupe_key(requested))
        published, precision = extracted.published_at, extracted.date_precision
        if published is None and entry is not None and entry.published is not None:
            published, precision = entry.published, entry.published_precision
        if published is None and response.meta.get("listing_date"):
            published, precision = response.meta["listing_date"]
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        return {
            "publication": PublicationInput(
                url=url,
                source=self.name,
                title=extracted.title or "",
                body=extracted.body,
                published_at=published,
                modified_at=extracted.modified_at,
                date_precision=precision,
                language=extracted.language,
                summary=extracted.summary or (entry.summary if entry else None),
                tags=extracted.tags,
                fetched_via="spider",
                extracted_by=extracted.extracted_by,
            ),
            "raw": response.body,
            "content_type": content_type,
            "validators": self.remember(response),
        }

    def feed_item(self, url: str, entry: FeedEntry) -> Iterator[dict[str, Any]]:
        """A publication made of the feed entry alone, when the article page cannot be had.

        Only when the entry carries a text of its own (a bare "[…]" is no publication).
        """
        text = entry.content or entry.summary
        if not entry.title or len(text.strip(" .…[]")) < MIN_FEED_TEXT:
            return
        yield {
            "publication": PublicationInput(
                url=url,
                source=self.name,
                title=entry.title,
                body=entry.content or entry.summary,
                published_at=entry.published,
                modified_at=entry.updated,
                date_precision=entry.published_precision,
                language=self.source.language,
                summary=entry.summary,
                tags=entry.tags,
                fetched_via="feed",
                extracted_by="fallback",
            ),
            "raw": None,
            "content_type": None,
            "validators": None,
        }

    # -- failures ----------------------------------------------------------------------

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "?")
        canonical = request.meta.get("canonical", request.url)
        entry = request.meta.get("entry")
        result = classify(failure, kind)
        if result is None:  # 304: as we have it
            if entry:
                self.ledger.answered(entry, "not modified")
            return
        if result.counter:
            self.counts[result.counter] += 1
        if entry:
            self.ledger.failed(entry, result.why)
        label = canonical if kind == "article" else f"{kind} {canonical}"
        self.ledger.problem(f"{label}: {result.why}", error=result.error, entry=bool(entry))
        if kind == "feed":
            yield from self.home_for_feeds()
        item = self.feed_entries.get(dedupe_key(canonical)) if kind == "article" else None
        if item is not None:
            yield from self.feed_item(canonical, item)
