"""Dates shown beside article links on a listing page: a last resort for pages that state none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from parsel import Selector

from crawler.extract.dates import MARKED, Dated, dated_in_text, fold, parse_dated
from crawler.extract.queries import compiled, first, strings

_CARD_DATE = (
    "p.fr-card__desc ::text, .fr-card__detail ::text, .fr-card__start ::text, .fr-card__end ::text,"
    " [class*=date] ::text"
)


def _date_of(node: Any) -> Dated | None:
    """The date a card (an lxml element) shows: its <time datetime>, a "Publié le …", a short date line."""
    found = parse_dated(first(node, "time::attr(datetime)"))
    if found is not None:
        return found
    marked = [t for t in strings(node, "::text") if MARKED.search(fold(t))]
    if marked:
        published, _modified = dated_in_text(" ".join(marked))
        if published is not None:
            return published
    for text in strings(node, _CARD_DATE):
        line = " ".join(text.split())
        if line and len(line) < 60 and (found := parse_dated(line)) is not None:
            return found
    return None


def card_dates(
    page: Selector, articles: set[str], canonical: Callable[[str], str]
) -> dict[str, tuple[datetime, str]]:
    """The date shown beside each article link, with its precision.

    Walks up from the link to the smallest element holding no other article (a DSFR
    `fr-card`, a list item…): its `<time datetime>`, else a "Publié le …" text, else a
    short date line of the card (`fr-card__desc`, `fr-card__detail`). The walk runs on
    lxml's elements (crawler.extract.queries): through parsel's Selectors it cost 15 ms
    a listing page.
    """
    found: dict[str, tuple[datetime, str]] = {}
    seen: dict[str, str] = {}

    def canonical_once(href: str) -> str:  # each card's links are met again at every level up
        if href not in seen:
            seen[href] = canonical(href)
        return seen[href]

    if not hasattr(page.root, "xpath"):
        return found
    for link in compiled("a[href]")(page.root):
        url = canonical_once(link.attrib["href"])
        if url not in articles or url in found:
            continue
        node = link
        for _ in range(6):
            parent = node.getparent()
            if parent is None:
                break
            node = parent
            others = {canonical_once(h) for h in strings(node, "a::attr(href)")} & articles
            if len(others) > 1:
                break
            value = _date_of(node)
            if value is not None:
                found[url] = value
                break
    return found
