"""How precisely a publication's date is known, so every output shows what the page gave.

A page that says "Publié le jeudi 12 février 2026" is dated by a day: it is stored as
Paris midnight in UTC (2026-02-11T23:00Z) and must be shown as 12 February, never as
the UTC instant. `time` means the page gave a time of day too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

Precision = Literal["time", "day", "month", "year"]
PRECISIONS: tuple[Precision, ...] = ("time", "day", "month", "year")
PARIS = ZoneInfo("Europe/Paris")


def guess_precision(value: datetime | None) -> Precision | None:
    """For rows stored before precision was kept: Paris midnight reads as a day."""
    if value is None:
        return None
    local = value.astimezone(PARIS)
    return "day" if local.timetz().replace(tzinfo=None) == time(0, 0) else "time"


def start_of_day(day: date, zone: ZoneInfo = PARIS) -> datetime:
    """The UTC instant a local calendar day starts: how a day-precise date is stored."""
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def local_day(value: datetime, zone: ZoneInfo = PARIS) -> date:
    """The calendar day a stored instant falls on where the publication was dated."""
    return value.astimezone(zone).date()


def display_zone() -> ZoneInfo:
    """The configured zone times are shown in (`timezone`, Europe/Paris by default)."""
    from summitwatch.config import get_settings

    return ZoneInfo(get_settings().timezone)


def dated(value: datetime | None, precision: str | None) -> str | None:
    """A publication date as precisely as the page gave it, for every output (API, CSV, CLI, pages).

    A day (or a month, a year: their first day, `date_precision` beside it says which) is
    "2026-02-12", the page's own day wherever the reader is; a time is ISO 8601 in the
    configured zone with its offset; undated is None.
    """
    if value is None:
        return None
    if (precision or guess_precision(value)) == "time":
        return value.astimezone(display_zone()).isoformat()
    return local_day(value).isoformat()
