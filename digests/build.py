"""What one subscriber's digest holds, from the week's data and their filters.

The week is read once (storage.digest_data); each subscriber's view is a pure
filter over it, so digests for many subscribers with the same language and
filters are identical and can be rendered once (digests.send caches on
`Filters.key`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from digests.periods import Period
from storage.digest_data import WeekData
from storage.models import STATUSES
from storage.overview import kept_rate

EXCERPT_CHARS = 360
TITLE_CHARS = 300
MAX_SILENT = 12
MAX_STATUS_CHANGES = 40


@dataclass(frozen=True)
class Filters:
    """A subscriber's choices; empty sets mean "everything"."""

    themes: frozenset[str] = frozenset()
    commitments: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    send_empty: bool = True

    @classmethod
    def of(
        cls,
        themes: Iterable[str] = (),
        commitments: Iterable[str] = (),
        sources: Iterable[str] = (),
        send_empty: bool = True,
    ) -> Filters:
        return cls(frozenset(themes), frozenset(commitments), frozenset(sources), send_empty)

    @property
    def by_commitment(self) -> bool:
        return bool(self.themes or self.commitments)

    def commitment_ok(self, commitment: dict[str, Any]) -> bool:
        """Theme and commitment filters add up: either one admits a commitment."""
        if not self.by_commitment:
            return True
        return commitment["theme"] in self.themes or commitment["slug"] in self.commitments

    def source_ok(self, slug: str | None) -> bool:
        return not self.sources or slug is None or slug in self.sources

    @property
    def key(self) -> tuple[Any, ...]:
        return (
            tuple(sorted(self.themes)),
            tuple(sorted(self.commitments)),
            tuple(sorted(self.sources)),
            self.send_empty,
        )


@dataclass
class Segment:
    text: str
    hit: bool


@dataclass
class EvidenceItem:
    title: str
    url: str
    source_name: str
    published_at: Any
    signal: str
    excerpt: list[Segment]
    date_precision: str | None = None
    late: bool = False  # found in the period, published before it


@dataclass
class CommitmentGroup:
    slug: str
    title: str
    status: str
    url: str
    items: list[EvidenceItem] = field(default_factory=list)


@dataclass
class DigestContent:
    period: Period
    language: str
    empty: bool
    status_changes: list[dict[str, Any]]
    groups: list[CommitmentGroup]
    evidence_more: int
    other_publications: list[dict[str, Any]]
    other_more: int
    silent: list[dict[str, Any]]
    silent_more: int
    deadlines: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    deadline_days: int
    links: dict[str, str]
    counts: list[tuple[str, int]] = field(default_factory=list)  # (status, commitments), in STATUSES order
    kept: dict[str, Any] = field(default_factory=dict)  # storage.overview.kept_rate of `counts`


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def highlight(text: str, terms: Sequence[str]) -> list[Segment]:
    """Split `text` into plain and matched segments; the template escapes both and marks hits."""
    words = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return [Segment(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[Segment] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            out.append(Segment(text[pos : match.start()], False))
        out.append(Segment(match.group(0), True))
        pos = match.end()
    if pos < len(text):
        out.append(Segment(text[pos:], False))
    return out


def web_links(base_url: str) -> dict[str, str]:
    return {
        "home": f"{base_url}/",
        "publications": f"{base_url}/publications",
        "sources": f"{base_url}/sources",
        "commitment": f"{base_url}/commitments/",
    }


def build(
    week: WeekData,
    period: Period,
    filters: Filters,
    language: str,
    *,
    base_url: str,
    max_evidence: int = 60,
    max_other: int = 30,
    deadline_days: int = 60,
) -> DigestContent | None:
    """The subscriber's digest, or None when they should get nothing this period.

    Nothing is sent when the week had news but none passes the filters (the
    subscriber chose not to hear about it), or when the whole week was empty and
    the subscriber opted out of empty digests.
    """
    links = web_links(base_url)
    counts = status_counts(week.standing, filters)
    changes = [
        c
        for c in week.status_changes
        if filters.commitment_ok(c["commitment"]) and filters.source_ok(c["source"])
    ]
    evidence = [
        e for e in week.evidence if filters.commitment_ok(e["commitment"]) and filters.source_ok(e["source"])
    ]
    others = (
        []
        if filters.by_commitment
        else [p for p in week.other_publications if filters.source_ok(p["source"])]
    )
    has_news = bool(changes or evidence or others)
    if not has_news and (not week.empty or not filters.send_empty):
        return None

    groups: dict[str, CommitmentGroup] = {}
    for e in evidence[:max_evidence]:
        c = e["commitment"]
        group = groups.get(c["slug"])
        if group is None:
            group = groups[c["slug"]] = CommitmentGroup(
                slug=c["slug"],
                title=c["title"][language],
                status=c["status"],
                url=links["commitment"] + c["slug"],
            )
        group.items.append(
            EvidenceItem(
                title=_clip(e["title"], TITLE_CHARS),
                url=e["url"],
                source_name=e["source_name"],
                published_at=e["published_at"],
                signal=e["signal"],
                excerpt=highlight(_clip(e["excerpt"], EXCERPT_CHARS), e["matched_terms"]),
                date_precision=e.get("date_precision"),
                late=bool(e.get("late")),
            )
        )
    silent = [s for s in week.silent if filters.commitment_ok(s["commitment"])]
    return DigestContent(
        period=period,
        language=language,
        empty=not has_news,
        status_changes=[
            {
                **c,
                "title": c["commitment"]["title"][language],
                "url": links["commitment"] + c["commitment"]["slug"],
                "excerpt": _clip(c.get("excerpt") or "", EXCERPT_CHARS),
            }
            for c in changes[:MAX_STATUS_CHANGES]
        ],
        groups=list(groups.values()),
        evidence_more=max(0, len(evidence) - max_evidence),
        other_publications=[{**p, "title": _clip(p["title"], TITLE_CHARS)} for p in others[:max_other]],
        other_more=max(0, len(others) - max_other),
        silent=[
            {
                **s,
                "title": s["commitment"]["title"][language],
                "url": links["commitment"] + s["commitment"]["slug"],
            }
            for s in silent[:MAX_SILENT]
        ]
        if has_news
        else [],
        silent_more=max(0, len(silent) - MAX_SILENT) if has_news else 0,
        deadlines=[
            {
                **d,
                "title": d["commitment"]["title"][language],
                "url": links["commitment"] + d["commitment"]["slug"],
            }
            for d in week.deadlines
            if filters.commitment_ok(d["commitment"])
        ],
        overdue=[
            {
                **d,
                "title": d["commitment"]["title"][language],
                "url": links["commitment"] + d["commitment"]["slug"],
            }
            for d in week.overdue
            if filters.commitment_ok(d["commitment"])
        ],
        sources=[s for s in week.sources if not filters.sources or s["slug"] in filters.sources],
        deadline_days=deadline_days,
        links=links,
        counts=counts,
        kept=kept_rate(dict(counts)),
    )


def status_counts(standing: list[dict[str, Any]], filters: Filters) -> list[tuple[str, int]]:
    """How many of the subscriber's commitments hold each status (statuses none holds left out)."""
    counts = Counter(c["status"] for c in standing if filters.commitment_ok(c))
    return [(status, counts[status]) for status in STATUSES if counts[status]]
