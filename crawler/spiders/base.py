"""The shared spider: listings with pagination, feeds, sitemaps, then article pages.

Incremental by default: entry points are fetched with conditional GET, listing
pagination stops at the first page that brings no unknown article or whose last
(oldest) article is already stored, sitemap entries
are followed when unknown or when their lastmod is newer than the dates we stored.
`full=True` follows everything reachable. Requests go to `base_url` (a mirror) when
given; stored URLs always use the source's canonical host.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.extract.article import Extracted, SiteSelectors, extract_article, looks_like_challenge
from crawler.extract.dates import MARKED, PARIS, dates_in_text, fold, parse_date
from crawler.feeds import FeedEntry, FeedRefused, parse_feed
from crawler.middlewares import NotModified
from crawler.settings import scrapy_settings
from crawler.sitemaps import gunzip_capped, iter_sitemap
from crawler.sources import SourceConfig, get_source
from crawler.urls import canonicalize, dedupe_key, fetch_url, path_of, same_site
from storage.crawls import known_pages, load_validators
from storage.publications import PublicationInput
from summitwatch.config import get_settings

MAX_PROBLEMS = 30
MAX_LISTING_PAGES = 200  # a listing that never ends is a trap, not an archive


class SiteSpider(scrapy.Spider):
    """Subclasses set `name` (the source slug) and `selectors`."""

    selectors: ClassVar[SiteSelectors] = SiteSelectors()

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
        self.counts: Counter[str] = Counter()
        self.problems: list[str] = []
        self.feed_problems: list[str] = []
        self.entry_ok = False
        self.known: dict[str, tuple[datetime | None, datetime | None]] = {}
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.scheduled: set[str] = set()
        self.feed_entries: dict[str, FeedEntry] = {}
        self.feeds_seen: set[str] = set()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Our politeness settings, so `scrapy runspider` / `scrapy crawl` behave like the CLI."""
        settings.setdict(scrapy_settings(), priority="spider")
        super().update_settings(settings)

    # -- bookkeeping -------------------------------------------------------------------

    def problem(self, message: str, *, error: bool = True) -> None:
        if error:
            self.counts["errors"] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

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
            priority={"listing": 20, "feed": 20, "sitemap": 10, "article": 0}[kind],
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

    def is_known(self, canonical: str) -> bool:
        return dedupe_key(canonical) in self.known

    # -- start -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        self.known = {dedupe_key(u): dates for u, dates in known_pages(self.name).items()}
        self.validators = load_validators()
        canonical_root = self.source.canonical
        for path in self.source.listings:
            url = self.canonical(path, base=canonical_root)
            yield self.request(url, self.parse_listing, "listing", page=1, listing=url)
        for path in (*self.source.feeds, *self.source.extra_feeds):
            url = self.canonical(path, base=canonical_root)
            self.feeds_seen.add(url)
            yield self.request(url, self.parse_feed, "feed", extra=path in self.source.extra_feeds)
        for path in self.source.sitemaps:
            yield self.request(self.canonical(path, base=canonical_root), self.parse_sitemap, "sitemap")

    def article(self, canonical: str, **meta: Any) -> scrapy.Request | None:
        """A request for an article page, once per run."""
        key = dedupe_key(canonical)
        if key in self.scheduled:
            return None
        self.scheduled.add(key)
        return self.request(canonical, self.parse_article, "article", **meta)

    # -- entry points ------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        self.entry_ok = True
        if not isinstance(response, TextResponse):
            self.problem(f"listing {response.url}: not HTML")
            return
        links = [self.canonical(h, base=response.url) for h in response.css("a::attr(href)").getall()]
        articles = list(
            dict.fromkeys(
                u for u in links if same_site(u, self.source) and self.source.is_article(path_of(u))
            )
        )
        fresh = [u for u in articles if not self.is_known(u)]
        dates = self.card_dates(response, set(articles))
        for url in fresh if not self.full else articles:
            request = self.article(url, listing_date=dates.get(url))
            if request is not None:
                yield request
        yield from self.discovered_feeds(response)
        page = int(response.meta.get("page", 1))
        next_url = self.next_page(response, links, page)
        # Listings run newest first (a pinned card may sit on top): once the last, oldest
        # card of a page is one we have, the next page holds nothing new either.
        older_may_be_new = bool(fresh) and not self.is_known(articles[-1])
        if (older_may_be_new or self.full) and next_url and page < MAX_LISTING_PAGES:
            listing = response.meta["listing"]
            yield self.request(next_url, self.parse_listing, "listing", page=page + 1, listing=listing)
        if validators := self.remember(response):
            self.validators_to_save.append(validators)

    def card_dates(self, response: TextResponse, articles: set[str]) -> dict[str, datetime]:
        """The date shown beside each article link on a listing (a last resort for undated pages).

        Walks up from the link to the smallest element holding no other article: its
        `<time datetime>`, else a "Publié le …" text, else a DSFR card detail date.
        """
        found: dict[str, datetime] = {}
        for link in response.css("a[href]"):
            url = self.canonical(link.attrib["href"], base=response.url)
            if url not in articles or url in found:
                continue
            node = link
            for _ in range(6):
                parents = node.xpath("..")
                if not parents:
                    break
                node = parents[0]
                others = {
                    self.canonical(h, base=response.url) for h in node.css("a::attr(href)").getall()
                } & articles
                if len(others) > 1:
                    break
                value = parse_date(node.css("time::attr(datetime)").get())
                if value is None:
                    line = " ".join(
                        " ".join(node.css("p.fr-card__desc ::text, .fr-card__detail ::text").getall()).split()
                    )
                    marked = [t for t in node.css("::text").getall() if MARKED.search(fold(t))]
                    value = dates_in_text(" ".join(marked))[0] if marked else None
                    if value is None and line and len(line) < 60:
                        value = parse_date(line)
                if value is not None:
                    found[url] = value
                    break
        return found

    def next_page(self, response: TextResponse, links: list[str], page: int) -> str | None:
        """The next listing page: `?page=N+1` when linked (sources.md), else a rel="next" link."""
        listing = response.meta["listing"]
        if self.has_page(links, page + 1):
            return self.canonical(f"?page={page + 1}", base=listing)
        for href in response.css('link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)').getall():
            url = self.canonical(href, base=response.url)
            if same_site(url, self.source) and dedupe_key(url) != dedupe_key(response.meta["canonical"]):
                return url
        return None

    @staticmethod
    def has_page(links: list[str], page: int) -> bool:
        pattern = re.compile(rf"[?&]page={page}(?:&|$)")
        return any(pattern.search(u) for u in links)

    def discovered_feeds(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """Feeds announced by the page itself (autodiscovery survives redesigns)."""
        for href in response.css(
            'link[rel="alternate"][type="application/rss+xml"]::attr(href),'
            'link[rel="alternate"][type="application/atom+xml"]::attr(href)'
        ).getall():
            url = self.canonical(href, base=response.url)
            if same_site(url, self.source) and url not in self.feeds_seen:
                self.feeds_seen.add(url)
                yield self.request(url, self.parse_feed, "feed", extra=False)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self.entry_ok = True
        try:
            feed = parse_feed(response.body)
        except FeedRefused as exc:
            self.problem(f"feed {response.meta['canonical']}: {exc}")
            return
        if feed.problem:
            message = f"feed {response.meta['canonical']} is malformed ({feed.problem}); read {len(feed.entries)} entries"
            self.feed_problems.append(message)
            self.problem(message, error=False)
        extra = bool(response.meta.get("extra"))
        for entry in feed.entries:
            url = self.canonical(entry.link, base=response.url)
            if not extra and not (same_site(url, self.source) and self.source.is_article(path_of(url))):
                continue
            if self.is_known(url) and not self.full:
                continue
            self.feed_entries[dedupe_key(url)] = entry
            request = self.article(url)
            if request is not None:
                yield request
        if validators := self.remember(response):
            self.validators_to_save.append(validators)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        self.entry_ok = True
        try:
            raw = gunzip_capped(response.body, get_settings().crawler.max_sitemap_bytes)
        except ValueError as exc:
            self.problem(f"sitemap {response.meta['canonical']}: {exc}")
            return
        for entry in iter_sitemap(raw):
            url = self.canonical(entry.loc, base=response.url)
            if entry.is_sitemap:
                if same_site(url, self.source):
                    yield self.request(url, self.parse_sitemap, "sitemap")
                continue
            if not same_site(url, self.source) or not self.source.in_sitemap_scope(path_of(url)):
                continue
            if not self.full and self.too_old(entry.lastmod):
                continue
            if self.full or not self.is_known(url) or self.newer(url, entry.lastmod):
                request = self.article(url, lastmod=entry.lastmod)
                if request is not None:
                    yield request
        if validators := self.remember(response):
            self.validators_to_save.append(validators)

    def too_old(self, lastmod: str | None) -> bool:
        """Before the source's `sitemap_since` (entries without lastmod are kept)."""
        since = self.source.sitemap_since
        stamp = parse_date(lastmod) if since else None
        return stamp is not None and stamp.astimezone(PARIS).date().isoformat() < str(since)

    def newer(self, url: str, lastmod: str | None) -> bool:
        """Whether a sitemap lastmod (a day, in Paris) is after every date we stored for `url`."""
        stamp = parse_date(lastmod)
        published, modified = self.known.get(dedupe_key(url), (None, None))
        latest = max((d for d in (published, modified) if d is not None), default=None)
        if stamp is None or latest is None:
            return False
        return stamp.astimezone(PARIS).date() > latest.astimezone(PARIS).date()

    # -- articles ----------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        requested = response.meta["canonical"]
        if not isinstance(response, TextResponse):
            self.problem(
                f"{requested}: not an HTML page ({response.headers.get(b'Content-Type', b'?').decode()})"
            )
            return
        self.counts["pages"] += 1
        extracted = extract_article(response.text, requested, self.selectors, self.source.language)
        if looks_like_challenge(response.text, extracted):
            self.counts["anti_bot"] += 1
            self.problem(f"{requested}: anti-bot challenge page, not stored")
            return
        if not extracted.is_article:
            entry = self.feed_entries.get(dedupe_key(requested))
            if entry is not None:
                yield self.feed_item(requested, entry)
            else:
                self.problem(f"{requested}: no article text found", error=False)
                self.counts["empty_pages"] += 1
            return
        yield self.page_item(requested, extracted, response)

    def page_item(self, requested: str, extracted: Extracted, response: TextResponse) -> dict[str, Any]:
        url = requested
        if extracted.canonical:
            declared = self.canonical(extracted.canonical, base=response.url)
            if same_site(declared, self.source):
                url = declared
        entry = self.feed_entries.get(dedupe_key(requested))
        published = (
            extracted.published_at
            or (entry.published if entry else None)
            or response.meta.get("listing_date")
        )
        content_type = response.headers.get(b"Content-Type", b"text/html").decode("latin-1")
        return {
            "publication": PublicationInput(
                url=url,
                source=self.name,
                title=extracted.title or "",
                body=extracted.body,
                published_at=published,
                modified_at=extracted.modified_at,
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

    def feed_item(self, url: str, entry: FeedEntry) -> dict[str, Any]:
        """A publication made of the feed entry alone, when the article page cannot be had."""
        return {
            "publication": PublicationInput(
                url=url,
                source=self.name,
                title=entry.title,
                body=entry.content or entry.summary,
                published_at=entry.published,
                modified_at=entry.updated,
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
        if failure.check(NotModified):
            if kind != "article":
                self.entry_ok = True
            return
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
        if status == 403:
            self.counts["anti_bot"] += 1
            self.problem(f"{canonical}: HTTP 403 (blocked, anti-bot?)")
        elif status in (404, 410) and kind != "article":  # an entry point gone: named, not an error
            self.problem(f"{kind} {canonical}: HTTP {status}", error=False)
        elif status is not None:
            self.problem(f"{kind} {canonical}: HTTP {status}")
        elif failure.check(scrapy.exceptions.IgnoreRequest):
            self.counts["robots_blocked"] += 1
            self.problem(f"{canonical}: {failure.getErrorMessage() or 'ignored (robots.txt)'}", error=False)
        else:
            self.problem(f"{kind} {canonical}: {failure.type.__name__}: {failure.getErrorMessage()}")
        entry = self.feed_entries.get(dedupe_key(canonical)) if kind == "article" else None
        if entry is not None:
            yield self.feed_item(canonical, entry)

    @property
    def validators_to_save(self) -> list[tuple[str, str | None, str | None]]:
        """Entry-point validators, saved when the run closes (articles save theirs with the page)."""
        if not hasattr(self, "_entry_validators"):
            self._entry_validators: list[tuple[str, str | None, str | None]] = []
        return self._entry_validators
