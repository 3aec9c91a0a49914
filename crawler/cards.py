"""Dates shown beside article links on a listing page: a last resort for pages that state none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from parsel import Selector

from crawler.extract.dates import MARKED, Dated, dated_in_text, fold, parse_dated

_CARD_DATE = (
    "p.fr-card__desc ::text, .fr-card__detail ::text, .fr-card__start ::text, .fr-card__end ::text,"
    " [class*=date] ::text"
)


def _date_of(node: Selector) -> Dated | None:
    found = parse_dated(node.css("time::attr(datetime)").get())
    if found is not None:
        return found
    marked = [t for t in node.css("::text").getall() if MARKED.search(fold(t))]
    if marked:
        published, _modified = dated_in_text(" ".join(marked))
        if published is not None:
            return published
    for text in node.css(_CARD_DATE).getall():
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
    short date line of the card (`fr-card__desc`, `fr-card__detail`).
    """
    found: dict[str, tuple[datetime, str]] = {}
    seen: dict[str, str] = {}

    def canonical_once(href: str) -> str:  # each card's links are met again at every level up
        if href not in seen:
            seen[href] = canonical(href)
        return seen[href]

    for link in page.css("a[href]"):
        url = canonical_once(link.attrib["href"])
        if url not in articles or url in found:
            continue
        node = link
        for _ in range(6):
            parents = node.xpath("..")
            if not parents:
                break
            node = parents[0]
            others = {canonical_once(h) for h in node.css("a::attr(href)").getall()} & articles
            if len(others) > 1:
                break
            value = _date_of(node)
            if value is not None:
                found[url] = value
                break
    return found
