"""Generic page metadata that survives redesigns: canonical link, OpenGraph, schema.org, <time>.

These are the fallbacks after a site's own selectors (news-please style): whatever a
site's markup becomes, publishers keep feeding search engines and social networks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extract.queries import first, first_of, strings, strings_of

_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage", "pressrelease"}


_META_ATTRS = ("property", "name", "itemprop")


@dataclass(frozen=True)
class _PageMeta:
    """A page's <meta> contents and JSON-LD objects, read once: each field's lookup asked
    the whole tree again (a dozen XPath walks and JSON parses a page)."""

    root: Any  # the parsed page these were read from
    metas: dict[tuple[str, str], str]  # (attribute, its value) -> content of the first such <meta>
    ld: list[dict[str, Any]]
    itemprops: bool  # whether any element of the document has an itemprop (else no microdata date)
    times: bool  # whether the document has a <time> (else no <time datetime> to read)


_ANY_ITEMPROP = etree.XPath("boolean(//*[@itemprop])")
_last: list[_PageMeta] = []  # the page being extracted (one at a time)


def _page(sel: Selector) -> _PageMeta:
    if _last and _last[0].root is sel.root:
        return _last[0]
    metas: dict[tuple[str, str], str] = {}
    for node in sel.root.iter("meta") if hasattr(sel.root, "iter") else ():
        content = node.get("content")
        if content is None:
            continue
        for attr in _META_ATTRS:
            value = node.get(attr)
            if value is not None:
                metas.setdefault((attr, value), content)
    root = sel.root
    itemprops = hasattr(root, "xpath") and bool(_ANY_ITEMPROP(root))
    times = hasattr(root, "getroottree") and next(root.getroottree().iter("time"), None) is not None
    page = _PageMeta(root, metas, _read_json_ld(sel), itemprops, times)
    _last[:] = [page]
    return page


def json_ld(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (graphs flattened); broken blocks are skipped."""
    return _page(sel).ld


def _read_json_ld(sel: Selector) -> list[dict[str, Any]]:
    """Raw newlines inside strings (common in CMS output) are tolerated (`strict=False`)."""
    found: list[dict[str, Any]] = []
    for raw in strings(sel.root, 'script[type="application/ld+json"]::text'):
        try:
            data = json.loads(raw.strip().removeprefix("<!--").removesuffix("-->"), strict=False)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return found


def _ld_articles(sel: Selector) -> list[dict[str, Any]]:
    items = json_ld(sel)
    typed = [
        i
        for i in items
        if any(
            str(t).lower() in _ARTICLE_TYPES
            for t in (i.get("@type") if isinstance(i.get("@type"), list) else [i.get("@type")])
        )
    ]
    return typed or items


def meta(sel: Selector, *names: str) -> str | None:
    """The first non-empty <meta property|name|itemprop=...> content among `names`."""
    metas = _page(sel).metas
    for name in names:
        for attr in _META_ATTRS:
            value = metas.get((attr, name))
            if value and value.strip():
                return value.strip()
    return None


def site_name(sel: Selector) -> str | None:
    """og:site_name or schema.org publisher name: what a title suffix usually repeats."""
    name = meta(sel, "og:site_name", "application-name")
    if name:
        return name
    for item in _ld_articles(sel):
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and publisher.get("name"):
            return str(publisher["name"])
    return None


def is_article_page(sel: Selector) -> bool:
    """Whether the page calls itself an article (og:type, a schema.org article type, a published time)."""
    if (meta(sel, "og:type") or "").lower() == "article":
        return True
    for item in json_ld(sel):
        kinds = item.get("@type") if isinstance(item.get("@type"), list) else [item.get("@type")]
        if any(str(k).lower() in _ARTICLE_TYPES - {"webpage"} for k in kinds):
            return True
    return bool(meta(sel, "article:published_time", "og:article:published_time"))


def title(sel: Selector) -> str | None:
    """og:title, schema.org headline, the first <h1>, then <title> without its site suffix."""
    for value in (
        meta(sel, "og:title", "twitter:title"),
        next((str(i["headline"]) for i in _ld_articles(sel) if i.get("headline")), None),
        " ".join(" ".join(strings(sel.root, "h1 ::text")).split()) or None,
    ):
        if value:
            return value
    page_title = " ".join(" ".join(strings(sel.root, "title::text")).split())
    for separator in (" | ", " - ", " – "):
        if separator in page_title:
            page_title = page_title.rsplit(separator, 1)[0]
    return page_title or None


# A <time> of the article itself: not one of a link, a card or the page furniture (related posts).
_OWN_TIME = (
    "[not(ancestor::a or ancestor::nav or ancestor::aside or ancestor::footer"
    " or ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' fr-card ')])]"
)


_MAIN_TIME = etree.XPath(
    f"(//main | //article | //*[@role='main'])//time[@datetime]{_OWN_TIME}/@datetime", smart_strings=False
)
_ANY_TIME = etree.XPath(f"//time[@datetime]{_OWN_TIME}/@datetime", smart_strings=False)
_LANG = etree.XPath("/html/@lang", smart_strings=False)
_FEED_LINKS = etree.XPath(
    "//link[contains(concat(' ', normalize-space(translate(@rel, 'ALTERNATE', 'alternate')), ' '),"
    " ' alternate ')][contains(@type, 'rss') or contains(@type, 'atom')]/@href",
    smart_strings=False,
)


def published_texts(sel: Selector) -> list[str]:
    """Publication dates as the metadata writes them, most trusted first.

    article:published_time (and Élysée's og:article:), schema.org datePublished in JSON-LD
    or microdata, then the article's own <time datetime>.
    """
    page = _page(sel)  # the document-wide walks only when the document has what they look for
    itemprop = "[itemprop=datePublished]::attr(content), [itemprop=datePublished]::attr(datetime)"
    values = [
        meta(sel, "article:published_time", "og:article:published_time", "datePublished"),
        next((str(i["datePublished"]) for i in _ld_articles(sel) if i.get("datePublished")), None),
        first(sel.root, itemprop) if page.itemprops else None,
        first_of(sel.root, _MAIN_TIME) if page.times else None,
        first_of(sel.root, _ANY_TIME) if page.times else None,
        meta(sel, "dc.date", "DC.date", "date"),
    ]
    return [v.strip() for v in values if v and v.strip()]


def modified_texts(sel: Selector) -> list[str]:
    itemprop = "[itemprop=dateModified]::attr(content), [itemprop=dateModified]::attr(datetime)"
    values = [
        meta(sel, "article:modified_time", "og:article:modified_time", "dateModified"),
        next((str(i["dateModified"]) for i in _ld_articles(sel) if i.get("dateModified")), None),
        first(sel.root, itemprop) if _page(sel).itemprops else None,
    ]
    return [v.strip() for v in values if v and v.strip()]


def canonical(sel: Selector) -> str | None:
    return first(sel.root, 'link[rel="canonical"]::attr(href)') or meta(sel, "og:url")


def description(sel: Selector) -> str | None:
    return meta(sel, "og:description", "description", "twitter:description")


def tags(sel: Selector) -> list[str]:
    values = [
        v.strip() for v in strings(sel.root, 'meta[property="article:tag"]::attr(content)') if v.strip()
    ]
    for item in _ld_articles(sel):
        keywords = item.get("keywords")
        if isinstance(keywords, str):
            values += [k.strip() for k in keywords.split(",") if k.strip()]
        elif isinstance(keywords, list):
            values += [str(k).strip() for k in keywords if str(k).strip()]
    return list(dict.fromkeys(values))


def language(sel: Selector, url: str, default: str) -> str:
    """<html lang>, og:locale, an /en/ path, else the source's language."""
    lang = (first_of(sel.root, _LANG) or "").strip()
    if not lang:
        lang = (meta(sel, "og:locale", "inLanguage") or "").replace("_", "-")
    if not lang and "/en/" in url:
        lang = "en"
    lang = lang.split("-")[0].lower()
    return lang if lang.isalpha() and 2 <= len(lang) <= 3 else default


def feed_links(sel: Selector) -> list[str]:
    """Feeds announced by <link rel="alternate" type="application/rss+xml|atom+xml|feed+json">.

    Matched loosely (rel among others, type with parameters), as real pages write them.
    """
    return [href.strip() for href in strings_of(sel.root, _FEED_LINKS) if href.strip()]
