"""Generic page metadata that survives redesigns: canonical link, OpenGraph, schema.org, <time>.

These are the fallbacks after a site's own selectors (news-please style): whatever a
site's markup becomes, publishers keep feeding search engines and social networks.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from parsel import Selector

from crawler.extract.dates import parse_date

_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "webpage", "pressrelease"}


def json_ld(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (graphs flattened); broken blocks are skipped."""
    found: list[dict[str, Any]] = []
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(raw)
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
    for name in names:
        for attr in ("property", "name", "itemprop"):
            value = sel.css(f'meta[{attr}="{name}"]::attr(content)').get()
            if value and value.strip():
                return value.strip()
    return None


def title(sel: Selector) -> str | None:
    """og:title, schema.org headline, the first <h1>, then <title> without its site suffix."""
    for value in (
        meta(sel, "og:title", "twitter:title"),
        next((str(i["headline"]) for i in _ld_articles(sel) if i.get("headline")), None),
        " ".join(" ".join(sel.css("h1 ::text").getall()).split()) or None,
    ):
        if value:
            return value
    page_title = " ".join(" ".join(sel.css("title::text").getall()).split())
    for separator in (" | ", " - ", " – "):
        if separator in page_title:
            page_title = page_title.rsplit(separator, 1)[0]
    return page_title or None


def published(sel: Selector) -> datetime | None:
    """article:published_time, og:article:published_time, datePublished, then <time datetime>."""
    value = meta(
        sel, "article:published_time", "og:article:published_time", "datePublished", "dc.date", "date"
    )
    if value is None:
        value = next((str(i["datePublished"]) for i in _ld_articles(sel) if i.get("datePublished")), None)
    if value is None:
        value = (
            sel.css("time[datetime]::attr(datetime)").get()
            or sel.css("[itemprop=datePublished]::attr(content)").get()
        )
    return parse_date(value)


def modified(sel: Selector) -> datetime | None:
    value = meta(sel, "article:modified_time", "og:article:modified_time", "dateModified")
    if value is None:
        value = next((str(i["dateModified"]) for i in _ld_articles(sel) if i.get("dateModified")), None)
    return parse_date(value)


def canonical(sel: Selector) -> str | None:
    return sel.css('link[rel="canonical"]::attr(href)').get() or meta(sel, "og:url")


def description(sel: Selector) -> str | None:
    return meta(sel, "og:description", "description", "twitter:description")


def tags(sel: Selector) -> list[str]:
    values = [v.strip() for v in sel.css('meta[property="article:tag"]::attr(content)').getall() if v.strip()]
    for item in _ld_articles(sel):
        keywords = item.get("keywords")
        if isinstance(keywords, str):
            values += [k.strip() for k in keywords.split(",") if k.strip()]
        elif isinstance(keywords, list):
            values += [str(k).strip() for k in keywords if str(k).strip()]
    return list(dict.fromkeys(values))


def language(sel: Selector, url: str, default: str) -> str:
    """<html lang>, og:locale, an /en/ path, else the source's language."""
    lang = (sel.xpath("/html/@lang").get() or "").strip()
    if not lang:
        lang = (meta(sel, "og:locale", "inLanguage") or "").replace("_", "-")
    if not lang and "/en/" in url:
        lang = "en"
    lang = lang.split("-")[0].lower()
    return lang if lang.isalpha() and 2 <= len(lang) <= 3 else default


def feed_links(sel: Selector) -> list[str]:
    """Feeds announced by <link rel="alternate" type="application/rss+xml|atom+xml">."""
    return sel.css(
        'link[rel="alternate"][type="application/rss+xml"]::attr(href),'
        'link[rel="alternate"][type="application/atom+xml"]::attr(href)'
    ).getall()
