"""What a run saw, kept as facts: the source's health is judged from them when the run closes.

Every entry point (listing, feed, sitemap, home page) has one state; refused pages and
unknown items announced by feeds and sitemaps are remembered by URL, so a health
reason can name them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_PROBLEMS = 30
MAX_NAMED = 20  # URLs kept per list (the counts stay exact)


@dataclass
class EntryPoint:
    """One listing, feed or sitemap of the run, configured or discovered, and how it answered."""

    url: str
    kind: str  # listing | feed | sitemap | home
    configured: bool
    state: str = "pending"  # pending | ok | failed
    detail: str = ""  # why it failed, or what it gave ("20 entries")
    found_by: str = ""  # for a discovered feed: the page that announced it

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "kind": self.kind,
            "configured": self.configured,
            "state": self.state,
            "detail": self.detail,
            "found_by": self.found_by,
        }


@dataclass
class RunLedger:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)  # errors about pages, not entry points
    feed_problems: list[str] = field(default_factory=list)
    entries: dict[str, EntryPoint] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    listed_unknown: set[str] = field(default_factory=set)  # feed and sitemap items we did not have
    skipped: set[str] = field(default_factory=set)  # of those, pages that are rightly no article (a PDF)

    def problem(self, message: str, *, error: bool = True, entry: bool = False) -> None:
        """Note a problem; `error` counts it, `entry` says an entry point's state already tells it."""
        if error:
            self.counts["errors"] += 1
            if not entry and len(self.page_errors) < MAX_PROBLEMS:
                self.page_errors.append(message)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def entry(self, url: str, kind: str, *, configured: bool, found_by: str = "") -> EntryPoint:
        """The entry point for `url`, created on first sight (pagination pages share their listing's)."""
        if url not in self.entries:
            self.entries[url] = EntryPoint(url, kind, configured, found_by=found_by)
        return self.entries[url]

    def answered(self, url: str, detail: str = "") -> None:
        point = self.entries.get(url)
        if point is not None and point.state != "ok":
            point.state, point.detail = "ok", detail

    def failed(self, url: str, why: str) -> None:
        point = self.entries.get(url)
        if point is not None and point.state != "ok":
            point.state, point.detail = "failed", why

    @property
    def any_entry_ok(self) -> bool:
        """A configured entry point, or a feed or sitemap found on the way, gave what it is for.

        The home page asked for feed discovery does not count: it lists no article.
        """
        return any(p.state == "ok" and p.kind != "home" for p in self.entries.values())

    def configured_failures(self) -> list[EntryPoint]:
        return [p for p in self.entries.values() if p.configured and p.state == "failed"]

    def feed_failed(self) -> bool:
        return any(p.kind == "feed" and p.configured and p.state == "failed" for p in self.entries.values())

    def refuse(self, url: str, why: str) -> None:
        self.counts["refused"] += 1
        if len(self.refused) < MAX_NAMED:
            self.refused.append((url, why))
        self.problem(f"{url}: refused ({why}); the stored version is kept", error=False)

    def missed(self) -> int:
        """Unknown items the feeds and sitemaps listed whose pages failed (not those rightly skipped)."""
        return len(self.listed_unknown - self.skipped)
