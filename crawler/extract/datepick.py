"""Choosing a page's date among every place that states one: the most precise agreeing date wins.

Candidates come in order of trust (the site's own selectors, then metadata, the
visible "Publié le …" line, the URL, htmldate, a date opening the text). The first one
found is the page's day; a later candidate that gives a time of day on that same day
(in Paris) replaces it, so `article:published_time` refines "Publié le 03/03/2026" but
a metadata date that contradicts the page is not believed over it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import lxml.html

from crawler.extract.dates import PARIS, Dated, parse_dated

_RANK = {"year": 0, "month": 1, "day": 2, "time": 3}
logging.getLogger("htmldate").setLevel(logging.ERROR)  # its guesses are ours to judge, not to log


@dataclass(frozen=True)
class PageDate:
    """A date, how precisely it is known (time | day) and where it was read."""

    value: datetime
    precision: str
    origin: str


def candidate(found: Dated | None, origin: str) -> PageDate | None:
    return PageDate(found[0], found[1], origin) if found else None


def from_texts(texts: list[str], origin: str) -> list[PageDate]:
    return [d for d in (candidate(parse_dated(t), origin) for t in texts) if d is not None]


def pick(candidates: list[PageDate | None]) -> PageDate | None:
    """The first candidate, refined by a later, more precise one that falls on the same Paris day."""
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    best = found[0]
    day = best.value.astimezone(PARIS).date()
    for other in found[1:]:
        same_day = other.value.astimezone(PARIS).date() == day
        if same_day and _RANK.get(other.precision, 0) > _RANK.get(best.precision, 0):
            best = other
    return best


# Page furniture whose dates belong to other pages (related posts, cards, links).
_FURNITURE = (
    "//aside | //nav | //footer | //a | //*[contains(concat(' ', normalize-space(@class), ' '), ' fr-card ')]"
)


def htmldate_day(page_html: str) -> PageDate | None:
    """htmldate's reading of the markup, furniture removed (no guessing from the text: extensive search off)."""
    from htmldate import find_date  # imported on first use: most pages are dated before this

    try:
        tree = lxml.html.fromstring(page_html)
        for node in tree.xpath(_FURNITURE):
            if node.getparent() is not None:
                node.drop_tree()
        found = find_date(tree, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate is a last resort: a page it cannot read simply has no date from it
        return None
    return candidate(parse_dated(found), "htmldate") if found else None
