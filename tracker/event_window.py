"""Which stored publications a regroup after a match must read again: the window.

Grouping is sequential (in order of publication) and a dated report only meets events still
reported within `WINDOW_DAYS` of it, so a new or changed dated publication can only move the
publications within `WINDOW_DAYS` either side of it, and the events those belong to (read
whole, so that no event is ever split by being half outside). Undated publications are placed
last, against the latest `UNDATED_REACH` events of each of their commitments: they are all
read again, with those latest events. Everything else keeps its event as stored.

The idf weights must be those of the whole store, not of the window (measured: window weights
changed the events of 19 of 30 windows on the dated corpus); they come from the terms each
event member keeps (`Member.terms`), so the rest of the store is never read as text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracker.events import UNDATED_REACH, WINDOW_DAYS

_LAST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Stored:
    """A linked publication as the window reads it: no text, only where and when it stands."""

    id: int
    published_at: datetime | None
    commitments: frozenset[str]
    event_id: int | None  # None: not grouped yet
    confirmed: bool = False


def window(stored: Iterable[Stored], changed: Collection[int], days: int = WINDOW_DAYS) -> set[int]:
    """Ids of the publications to group again after `changed` (new, rematched or unlinked) ones."""
    rows = {s.id: s for s in stored}
    reach = timedelta(days=days)
    spans = _merged(
        sorted(
            (s.published_at - reach, s.published_at + reach)
            for i in changed
            if (s := rows.get(i)) and s.published_at
        )
    )
    starts = [lo for lo, _ in spans]
    chosen = {i for i in changed if i in rows}
    for s in rows.values():
        if s.published_at is None:
            chosen.add(s.id)
            continue
        n = bisect_right(starts, s.published_at) - 1
        if n >= 0 and s.published_at <= spans[n][1]:
            chosen.add(s.id)
    chosen |= _latest_events(
        rows.values(), {c for i in chosen if rows[i].published_at is None for c in rows[i].commitments}
    )
    members: dict[int, set[int]] = defaultdict(set)
    for s in rows.values():
        if s.event_id is not None:
            members[s.event_id].add(s.id)
    touched = {rows[i].event_id for i in chosen if rows[i].event_id is not None}
    for event_id in touched:
        chosen |= members[event_id]
    return chosen


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted overlapping spans as one: a batch of new publications is a few spans, not hundreds."""
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in spans:
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _latest_events(rows: Iterable[Stored], commitments: set[str]) -> set[int]:
    """Members of the events an undated report of these commitments is compared with: the last
    `UNDATED_REACH` events of each commitment, in the order grouping first met them (confirmed
    events first, then by their earliest dated member of that commitment)."""
    if not commitments:
        return set()
    first: dict[tuple[str, int], tuple[bool, datetime, str]] = {}
    members: dict[int, set[int]] = defaultdict(set)
    for s in rows:
        if s.event_id is None:
            continue
        members[s.event_id].add(s.id)
        if s.published_at is None:
            continue
        for slug in s.commitments & commitments:
            order = (not s.confirmed, s.published_at or _LAST, str(s.id))
            key = (slug, s.event_id)
            if key not in first or order < first[key]:
                first[key] = order
    out: set[int] = set()
    for slug in commitments:
        ranked = sorted((order, event_id) for (s, event_id), order in first.items() if s == slug)
        for _, event_id in ranked[-UNDATED_REACH:]:
            out |= members[event_id]
    return out
