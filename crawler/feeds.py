"""RSS and Atom feeds: refuse XML tricks, then let feedparser read as much as it can.

feedparser has no timeout of its own (feedparser#263: a hung fetch blocked a job for
good), so bytes always come from a fetch with a timeout and a size cap — Scrapy's
(`download_timeout` / `download_maxsize`) inside a crawl, `fetch_feed` elsewhere — and
feedparser only ever parses bytes.
"""

from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from crawler.extract.dates import parse_date, parse_dated
from crawler.extract.text import html_to_text

TEASER_ENDINGS = ("[…]", "[...]", "…", "...")


class FeedRefused(ValueError):
    """The feed tries an XML bomb or an external entity: not parsed at all."""


@dataclass
class FeedEntry:
    link: str
    title: str
    summary: str
    content: str
    published: datetime | None
    updated: datetime | None
    tags: list[str] = field(default_factory=list)
    published_precision: str | None = None  # time | day: a pubDate at Paris midnight is a day

    @property
    def is_teaser(self) -> bool:
        text = (self.content or self.summary).rstrip()
        return not self.content and (text.endswith(TEASER_ENDINGS) or len(text) < 400)


@dataclass
class Feed:
    entries: list[FeedEntry]
    problem: str | None = None  # why feedparser called it "bozo", when it did


# `<!ENTITY` anywhere, in any case, with NULs between the letters (UTF-16 and UTF-32 text).
_ENTITY_DECLARATION = re.compile(b"\\x00*".join(bytes([c]) for c in b"<!ENTITY"), re.IGNORECASE)


def check_safe(raw: bytes) -> None:
    """Raise FeedRefused on entity declarations (billion laughs, XXE); malformed XML is fine.

    A malformed document stops the defused parser before it reaches a declaration further
    on, while feedparser's own parsers may still read it: so the whole feed, not its head,
    is searched for one.
    """
    try:
        defused_fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedRefused(f"feed refused: {type(exc).__name__}: {exc}") from exc
    except (ParseError, ValueError):
        if _ENTITY_DECLARATION.search(raw):
            raise FeedRefused("feed refused: entity declarations in a malformed document") from None


def parse_feed(raw: bytes) -> Feed:
    """The feed's entries; a bozo feed yields what could be read and names its problem."""
    check_safe(raw)
    parsed = feedparser.parse(raw, sanitize_html=True, resolve_relative_uris=False)
    problem = None
    if parsed.get("bozo"):
        problem = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
    entries = []
    for item in parsed.entries:
        link = item.get("link") or ""
        if not link and str(item.get("id", "")).startswith("http"):
            link = item["id"]
        if not link:
            continue
        content = " ".join(c.get("value", "") for c in item.get("content", []) if c.get("value"))
        published = parse_dated(item.get("published") or item.get("pubDate"))
        entries.append(
            FeedEntry(
                link=link.strip(),
                title=" ".join(html_to_text(item.get("title", "")).split()),
                summary=html_to_text(item.get("summary", "") or ""),
                content=html_to_text(content) if content else "",
                published=published[0] if published else None,
                updated=parse_date(item["updated"]) if dict.__contains__(item, "updated") else None,
                tags=[t.get("term", "") for t in item.get("tags", []) if t.get("term")],
                published_precision=published[1] if published else None,
            )
        )
    return Feed(entries=entries, problem=problem)


def fetch_feed(url: str, *, timeout: float, max_bytes: int, user_agent: str) -> Feed:
    """Fetch and parse a feed outside Scrapy, bounded in time and size."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url}")
        raw = response.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValueError(f"feed {url} exceeds {max_bytes} bytes")
    return parse_feed(raw)
