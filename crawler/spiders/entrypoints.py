"""Entry points of a crawl: listing pages (with pagination), feeds, sitemaps, and the home page.

Each answers "ok" only when it gave what it is for: a listing HTML with links, a feed
with entries, a sitemap with entries; anything else (garbage bytes, an HTML error page
served as a feed) is a failed entry point, named in the source's health.

Items of the source's own feeds and sitemaps are articles even when no configured
pattern covers them (`outside` in the request's meta): a redesign that moves the
articles does not silence the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.cards import card_dates
from crawler.extract.dates import PARIS, parse_date
from crawler.extract.metadata import feed_links
from crawler.feeds import FeedEntry, FeedRefused, parse_feed
from crawler.ledger import RunLedger
from crawler.quality import binary_share, garbage_share
from crawler.sitemaps import gunzip_capped, iter_sitemap
from crawler.sources import SourceConfig
from crawler.urls import dedupe_key, path_of, same_site
from summitwatch.config import get_settings

MAX_LISTING_PAGES = 200  # a listing that never ends is a trap, not an archive
MAX_OUTSIDE_PER_SITEMAP = 200  # sitemap items outside the patterns followed per sitemap file


def not_text(response: Response) -> str | None:
    """Why a response is no page at all (binary, unreadable), or None."""
    if not isinstance(response, TextResponse):
        kind = response.headers.get(b"Content-Type", b"?").decode("latin-1")
        return f"not text ({kind})"
    if binary_share(response.body) > 0.02 or garbage_share(response.text[:6000]) > 0.15:
        return "garbage: unreadable bytes"
    return None


class EntryPoints:
    """The listing, feed and sitemap callbacks of `SiteSpider` (a mixin: they share its state)."""

    source: SourceConfig
    ledger: RunLedger
    full: bool
    known: dict[str, tuple[datetime | None, datetime | None]]
    feed_entries: dict[str, FeedEntry]
    feeds_seen: set[str]
    home_asked: bool

    def canonical(self, href: str, base: str | None = None) -> str:
        raise NotImplementedError

    def request(self, canonical: str, callback: Any, kind: str, **meta: Any) -> scrapy.Request:
        raise NotImplementedError

    def article(self, canonical: str, **meta: Any) -> scrapy.Request | None:
        raise NotImplementedError

    def is_known(self, canonical: str) -> bool:
        raise NotImplementedError

    def keep_validators(self, response: Response) -> None:
        raise NotImplementedError

    # -- listings ---------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        entry = response.meta["entry"]
        bad = not_text(response)
        if bad is not None:
            self.ledger.failed(entry, bad)
            self.ledger.problem(f"listing {response.meta['canonical']}: {bad}", entry=True)
            return
        assert isinstance(response, TextResponse)
        hrefs = response.css("a::attr(href)").getall()
        # Each href resolved once a page: the card dates below meet the same links again.
        resolved = {h: self.canonical(h, base=response.url) for h in dict.fromkeys(hrefs)}
        links = [resolved[h] for h in hrefs]
        if not links and "<html" not in response.text[:2000].lower():
            self.ledger.failed(entry, "not an HTML page")
            return
        articles = list(
            dict.fromkeys(
                u for u in links if same_site(u, self.source) and self.source.is_article(path_of(u))
            )
        )
        self.ledger.answered(entry, f"{len(articles)} article links")
        fresh = [u for u in articles if not self.is_known(u)]
        dates = card_dates(
            response.selector,
            set(articles),
            lambda h: resolved[h] if h in resolved else self.canonical(h, base=response.url),
        )
        for url in fresh if not self.full else articles:
            request = self.article(url, via="listing", listing_date=dates.get(url))
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
            yield self.request(
                next_url, self.parse_listing, "listing", page=page + 1, listing=listing, entry=entry
            )
        self.keep_validators(response)

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

    # -- feeds ------------------------------------------------------------------------------

    def parse_home(self, response: Response) -> Iterator[Any]:
        """The home page, asked for when a configured feed failed: only its announced feeds matter."""
        entry = response.meta["entry"]
        bad = not_text(response)
        if bad is not None:
            self.ledger.failed(entry, bad)
            return
        self.ledger.answered(entry, 'read for <link rel="alternate"> feeds')
        yield from self.discovered_feeds(response)

    def discovered_feeds(self, response: Response) -> Iterator[scrapy.Request]:
        """Feeds announced by the page itself (autodiscovery survives redesigns)."""
        if not isinstance(response, TextResponse):
            return
        for href in feed_links(response.selector):  # the parsed page Scrapy keeps, not a new parse
            url = self.canonical(href, base=response.url)
            if same_site(url, self.source) and dedupe_key(url) not in self.feeds_seen:
                self.feeds_seen.add(dedupe_key(url))
                self.ledger.entry(url, "feed", configured=False, found_by=response.meta["canonical"])
                yield self.request(url, self.parse_feed, "feed", extra=False, entry=url)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        entry, canonical = response.meta["entry"], response.meta["canonical"]
        try:
            feed = parse_feed(response.body)
        except FeedRefused as exc:
            self.ledger.failed(entry, str(exc))
            self.ledger.problem(f"feed {canonical}: {exc}", entry=True)
            yield from self.home_for_feeds()
            return
        if feed.problem and not feed.entries:
            why = "not a feed (no entry could be read)"
            self.ledger.failed(entry, why)
            self.ledger.problem(f"feed {canonical}: {why}: {feed.problem[:200]}", entry=True)
            yield from self.home_for_feeds()
            return
        if feed.problem:
            message = f"feed {canonical} is malformed ({feed.problem}); read {len(feed.entries)} entries"
            self.ledger.feed_problems.append(message)
            self.ledger.problem(message, error=False)
        self.ledger.answered(entry, f"{len(feed.entries)} entries")
        extra = bool(response.meta.get("extra"))
        for item in feed.entries:
            url = self.canonical(item.link, base=response.url)
            if not extra and not self.own_item(url):
                continue
            if self.is_known(url) and not self.full:
                continue
            self.feed_entries[dedupe_key(url)] = item
            if not self.is_known(url):
                self.ledger.listed_unknown.add(dedupe_key(url))
            outside = not extra and not self.source.in_patterns(path_of(url))
            request = self.article(url, via="feed", outside=outside)
            if request is not None:
                yield request
        self.keep_validators(response)

    def own_item(self, url: str) -> bool:
        """A feed or sitemap item that may be an article: on the source's host, not excluded, no listing."""
        if not same_site(url, self.source):
            return False
        path = path_of(url)
        return not self.source.is_excluded(path) and not self.source.is_listing(path) and path != "/"

    def home_for_feeds(self) -> Iterator[scrapy.Request]:
        """Once per run, when a configured feed failed: the home page, for the feeds it announces."""
        if self.home_asked or not self.ledger.feed_failed():
            return
        self.home_asked = True
        home = self.source.canonical + "/"
        if self.source.is_listing("/"):
            return  # the home page is a listing: its feeds are read already
        self.ledger.entry(home, "home", configured=False, found_by="asked because a configured feed failed")
        yield self.request(home, self.parse_home, "listing", entry=home, listing=home)

    # -- sitemaps ---------------------------------------------------------------------------

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        entry, canonical = response.meta["entry"], response.meta["canonical"]
        try:
            raw = gunzip_capped(response.body, get_settings().crawler.max_sitemap_bytes)
        except (ValueError, OSError, EOFError) as exc:
            self.ledger.failed(entry, f"unreadable: {exc}")
            self.ledger.problem(f"sitemap {canonical}: {exc}", entry=True)
            return
        entries = list(iter_sitemap(raw))
        if not entries:
            why = "not a sitemap (no entry could be read)"
            self.ledger.failed(entry, why)
            self.ledger.problem(f"sitemap {canonical}: {why}", entry=True)
            return
        self.ledger.answered(entry, f"{len(entries)} entries")
        outside: list[tuple[str, str | None]] = []
        scoped = 0
        for item in entries:
            url = self.canonical(item.loc, base=response.url)
            if item.is_sitemap:
                if same_site(url, self.source):
                    self.ledger.entry(url, "sitemap", configured=False, found_by=canonical)
                    yield self.request(url, self.parse_sitemap, "sitemap", entry=url)
                continue
            if not same_site(url, self.source):
                continue
            if not self.source.in_sitemap_scope(path_of(url)):
                if self.own_item(url) and path_of(url).strip("/").count("/") >= 1:
                    outside.append((url, item.lastmod))
                continue
            scoped += 1
            yield from self.sitemap_article(url, item.lastmod, outside=False)
        # A sitemap file none of whose entries a pattern covers (a blog moved to new paths):
        # its deeper entries are followed, and stored only if the page says it is an article.
        if not scoped:
            for url, lastmod in outside[:MAX_OUTSIDE_PER_SITEMAP]:
                yield from self.sitemap_article(url, lastmod, outside=True)
        self.keep_validators(response)

    def sitemap_article(self, url: str, lastmod: str | None, *, outside: bool) -> Iterator[Any]:
        if not self.full and self.too_old(lastmod):
            return
        if self.full or not self.is_known(url) or self.newer(url, lastmod):
            if not self.is_known(url):
                self.ledger.listed_unknown.add(dedupe_key(url))
            request = self.article(url, via="sitemap", lastmod=lastmod, outside=outside)
            if request is not None:
                yield request

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
