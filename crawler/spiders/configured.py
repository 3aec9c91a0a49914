"""One spider class per configured source, made from `sources.toml`: a new source needs no code.

The classes are also defined at import, so Scrapy's own loader finds them
(`SCRAPY_SETTINGS_MODULE=crawler.settings scrapy crawl anssi -a base_url=…`).
"""

from __future__ import annotations

from crawler.sources import load_sources
from crawler.spiders.base import SiteSpider


def spider_class(slug: str) -> type[SiteSpider]:
    """The spider of a configured source (KeyError for an unknown slug)."""
    if slug not in load_sources():
        raise KeyError(f"unknown source {slug!r}; configured: {', '.join(sorted(load_sources()))}")
    name = "".join(part.title() for part in slug.split("-")) + "Spider"
    return type(name, (SiteSpider,), {"name": slug, "__module__": __name__})


for _slug in load_sources():
    globals()[spider_class(_slug).__name__] = spider_class(_slug)
