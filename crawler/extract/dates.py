"""Dates as French and English sites write them, to aware UTC datetimes.

Local times are Europe/Paris unless the text carries an offset. Numeric dates are
always read day first ("12/2/2025" is 12 February): none of our sources writes them
month first, and guessing would silently swap days and months.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
    "janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME = r"(?:\s*(?:-|–|à|a|,|at)?\s*(?P<hour>\d{1,2})\s*[:h]\s*(?P<minute>\d{2})(?!\d))?"
_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_NUMERIC = re.compile(r"(?<![\d/.])(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})(?!\d)" + _TIME)
_DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?P<mname>{_MONTH})\.?,?\s+(?P<year>\d{{4}})" + _TIME,
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b(?P<mname>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})" + _TIME,
    re.IGNORECASE,
)
_URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d{2})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?:/|$)")
_RFC822 = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}")

_MODIFIED = re.compile(
    r"(?:mis\s+a\s+jour|mise\s+a\s+jour|modifie|derniere\s+modification|last\s+updated|updated)"
    r"\s*(?:le|on)?\s*:?\s*",
    re.IGNORECASE,
)
_PUBLISHED = re.compile(r"(?:publie|publiee|published|posted)\s*(?:le|on)?\s*:?\s*", re.IGNORECASE)
MARKED = re.compile(
    r"\b(?:publiee?|published|posted|mise?\s+a\s+jour|last\s+updated|updated)\b", re.IGNORECASE
)


class _FoldTable(dict[int, str]):
    """Each character's folded form, worked out the first time it is met (for `str.translate`)."""

    def __missing__(self, code: int) -> str:
        base = unicodedata.normalize("NFKD", chr(code))
        kept = "".join(c for c in base if not unicodedata.combining(c))
        self[code] = folded = " " if code == 0xA0 or not kept else kept[:1]
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case-insensitive, accent-free text of the same length (for matching only).

    One `translate` over a table filled as characters are met: normalising each character
    in a Python loop was 3 % of a crawl.
    """
    return text if text.isascii() else text.translate(_FOLD)


def _build(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, tz: str | None = None
) -> datetime | None:
    try:
        if tz:
            offset = "+00:00" if tz == "Z" else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
            local = datetime.fromisoformat(
                f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{offset}"
            )
        else:
            local = datetime(year, month, day, hour, minute, second, tzinfo=PARIS)
    except ValueError:
        return None
    return local.astimezone(UTC)


def _from_match(match: re.Match[str]) -> tuple[datetime, str] | None:
    """The date a match wrote, and its precision: `time` for a real time of day, else `day`.

    Midnight is no time of day: "2025-10-16T00:00:00Z" is how a CMS writes the 16th, and
    is kept as that day in Paris (start of day), not as 02:00.
    """
    groups = match.groupdict()
    name = groups.get("mname")
    month = MONTHS[fold(name).lower().rstrip(".")] if name else int(groups["month"])
    hour = int(groups["hour"]) if groups.get("hour") else 0
    minute = int(groups["minute"]) if groups.get("minute") else 0
    second = int(groups["second"]) if groups.get("second") else 0
    if hour > 23 or minute > 59:
        hour = minute = 0
    year, day = int(groups["year"]), int(groups["day"])
    if (hour, minute, second) == (0, 0, 0):
        value = _build(year, month, day)
        return (value, "day") if value is not None else None
    value = _build(year, month, day, hour, minute, second, groups.get("tz"))
    return (value, "time") if value is not None else None


def _search(text: str) -> tuple[tuple[datetime, str], int, int] | None:
    if not text:
        return None
    folded = fold(text)
    found: list[tuple[int, int, tuple[datetime, str]]] = []
    for pattern in (_ISO, _NUMERIC, _DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(folded):
            value = _from_match(match)
            if value is not None:
                found.append((match.start(), match.end(), value))
                break
    if not found:
        return None
    start, end, value = min(found, key=lambda f: f[0])
    return value, start, end


def search_date(text: str) -> tuple[datetime, int, int] | None:
    """The first date written in `text`, with its span; None when there is none."""
    found = _search(text)
    return (found[0][0], found[1], found[2]) if found else None


def parse_dated(text: str | None) -> tuple[datetime, str] | None:
    """One date string to (UTC instant, precision): `time` when a time of day was written, else `day`.

    ISO 8601, RFC 822, French or English, numeric day first. A day is stored as the
    start of that day in Paris (storage.dateprecision).
    """
    if not text or not text.strip():
        return None
    if _RFC822.match(text):
        try:
            parsed = email.utils.parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            value = (parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)).astimezone(UTC)
            local = value.astimezone(PARIS)
            midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
            return value, "day" if midnight else "time"
    found = _search(text)
    return found[0] if found else None


def parse_date(text: str | None) -> datetime | None:
    """One date string (ISO 8601, RFC 822, French or English, numeric day first) to UTC."""
    found = parse_dated(text)
    return found[0] if found else None


Dated = tuple[datetime, str]  # (UTC instant, precision)


def _after(marker: re.Pattern[str], text: str) -> Dated | None:
    folded = fold(text)
    for match in marker.finditer(folded):
        found = _search(text[match.end() : match.end() + 80])
        if found is not None and found[1] <= 30:
            return found[0]
    return None


def dated_in_text(text: str) -> tuple[Dated | None, Dated | None]:
    """(published, modified) with their precisions, as a page's date line states them.

    "Publié le 28 Juillet 2022 Mis à jour le 28 Mai 2025" gives both; a line with only
    "Mis à jour le : 17 janvier 2025" gives the update date and no publication date.
    """
    modified = _after(_MODIFIED, text)
    published = _after(_PUBLISHED, text)
    if published is None:
        folded = fold(text)
        cut = _MODIFIED.search(folded)
        head = text[: cut.start()] if cut else text
        found = _search(head)
        published = found[0] if found else None
    return published, modified


def dates_in_text(text: str) -> tuple[datetime | None, datetime | None]:
    """(published, modified) as a page's date line states them (see `dated_in_text`)."""
    published, modified = dated_in_text(text)
    return (published[0] if published else None, modified[0] if modified else None)


def date_from_url(url: str) -> datetime | None:
    """The date in a path such as /emmanuel-macron/2025/02/11/<slug> (midnight, Paris)."""
    match = _URL_DATE.search(url)
    if match is None:
        return None
    return _build(int(match["year"]), int(match["month"]), int(match["day"]))
