"""elysee.fr: dated articles and speeches, the summit section; the date is also in the path."""

from __future__ import annotations

from crawler.extract.article import SiteSelectors
from crawler.spiders.base import SiteSpider


class ElyseeSpider(SiteSpider):
    name = "elysee"
    selectors = SiteSelectors(
        title=('meta[property="og:title"]::attr(content)', "main .page-article h1", "main article h1"),
        date=(
            'meta[property="og:article:published_time"]::attr(content)',
            "main .article__update",
        ),
        body=("div.card__body.ck-styled",),
        drop=("script", "style", "a.link-download"),
        tags=(),
    )
