"""Digest periods: ISO weeks in Europe/Paris (Monday 00:00 to the next Monday), kept as UTC.

A week is named "2025-W07"; an arbitrary span (--since/--until) is named
"2025-02-10..2025-02-17" so it gets its own ledger and never collides with a week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be read; the message shows the expected form."""


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        return self.start.astimezone(PARIS).date()

    @property
    def last_day(self) -> date:
        return (self.end.astimezone(PARIS) - timedelta(microseconds=1)).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), PARIS).astimezone(UTC)


def week(key: str) -> Period:
    """The ISO week "YYYY-Www" as a Paris Monday-to-Monday span in UTC."""
    match = WEEK.match(key.strip())
    if not match:
        raise PeriodError(f"{key!r} is not an ISO week such as 2025-W07")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise PeriodError(f"{key!r}: {exc}") from None
    return Period(key.strip(), _midnight(monday), _midnight(monday + timedelta(days=7)))


def week_of(day: date) -> Period:
    year, number, _ = day.isocalendar()
    return week(f"{year}-W{number:02d}")


def last_complete_week(now: datetime | None = None) -> Period:
    """The default: the week that ended last Monday (the digest goes out on Monday morning)."""
    today = (now or datetime.now(UTC)).astimezone(PARIS).date()
    return week_of(today - timedelta(days=7))


def span(since: datetime, until: datetime) -> Period:
    """An explicit [since, until) span; both aware."""
    if since.tzinfo is None or until.tzinfo is None:
        raise PeriodError("since and until must carry a time zone")
    if until <= since:
        raise PeriodError("until must come after since")
    start, end = since.astimezone(UTC), until.astimezone(UTC)
    key = f"{start.astimezone(PARIS).date().isoformat()}..{end.astimezone(PARIS).date().isoformat()}"
    if start != _midnight(start.astimezone(PARIS).date()) or end != _midnight(end.astimezone(PARIS).date()):
        key = f"{start.isoformat()}..{end.isoformat()}"
    return Period(key, start, end)


def resolve(
    period: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> Period:
    """One period from the CLI's options: a week, a span, or the last complete week."""
    if period and (since or until):
        raise PeriodError("give either a period or --since/--until, not both")
    if period:
        if ".." in period:
            first, _, last = period.partition("..")
            try:
                return span(_midnight(date.fromisoformat(first)), _midnight(date.fromisoformat(last)))
            except ValueError:
                raise PeriodError(f"{period!r} is not YYYY-MM-DD..YYYY-MM-DD") from None
        return week(period)
    if since or until:
        end = until or datetime.now(UTC)
        start = since or end - timedelta(days=7)
        return span(start, end)
    return last_complete_week()
