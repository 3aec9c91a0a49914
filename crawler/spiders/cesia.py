"""securite-ia.fr (CeSIA): a Wix site, press releases under /publications/ and a blog under /post/."""

from __future__ import annotations

from crawler.extract.article import SiteSelectors
from crawler.spiders.base import SiteSpider


class CesiaSpider(SiteSpider):
    name = "cesia"
    selectors = SiteSelectors(
        title=("#comp-title h1", "article[data-hook=post] [data-hook=post-title]"),
        # D/M/YYYY without zero padding, day first: "12/2/2025".
        date=("#comp-date", "article[data-hook=post] [data-hook=time-ago]"),
        body=("#comp-body", "article[data-hook=post] [data-hook=post-description]"),
        drop=("script", "style", "button", "form"),
        tags=("article[data-hook=post] [data-hook=post-tags] a",),
    )
