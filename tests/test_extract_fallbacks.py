"""Generic fallbacks for pages whose markup drifted: metadata, <time>, marked dates, URL dates, listings.

Synthetic pages with none of the sites' classes; no database, no network.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse, Request

from crawler.cards import card_dates
from crawler.extract.article import SiteSelectors, extract_article
from crawler.sitemaps import gunzip_capped, iter_sitemap
from crawler.sources import parse_sources
from crawler.spiders.configured import spider_class

BODY = "<p>" + " ".join(["Le texte de l'article, assez long pour être une vraie publication."] * 6) + "</p>"


def page(head: str = "", before: str = "", body: str = BODY, lang: str = "fr") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Titre | Site</title>{head}</head>'
        f'<body><div class="topbar"><a href="/">Accueil</a></div><div id="app"><article><h1>Un titre</h1>'
        f"{before}<div>{body}</div></article></div><div class='bottom'>© 2026</div></body></html>"
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (
            page(
                '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-02-12T10:00:00+01:00"}</script>'
            ),
            "https://cyber.gouv.fr/actualites/x/",
            utc(2026, 2, 12, 9),
        ),
        (
            page('<meta property="article:published_time" content="2025-02-11T18:30:00+01:00">'),
            "https://cyber.gouv.fr/actualites/x/",
            utc(2025, 2, 11, 17, 30),
        ),
        (
            page(before='<time datetime="2025-07-03T10:00:00+02:00">3 juillet</time>'),
            "https://x/y",
            utc(2025, 7, 3, 8),
        ),
        (page(before="<div><span>Publié le 4 janvier 2026</span></div>"), "https://x/y", utc(2026, 1, 3, 23)),
        (
            page(body="<p>Le 11 février 2025, en marge du Sommet, une annonce. " + BODY[3:]),
            "https://www.elysee.fr/emmanuel-macron/2026/02/19/discours",
            utc(2026, 2, 18, 23),  # the URL's date, not the first date of the text
        ),
        (
            page(before="<div>12/2/2025</div><div>Jeanne Martin</div>"),
            "https://www.securite-ia.fr/post/x",
            utc(2025, 2, 11, 23),
        ),
    ],
)
def test_generic_dates(html: str, url: str, expected: datetime) -> None:
    extracted = extract_article(html, url, SiteSelectors(), "fr")
    assert extracted.published_at == expected
    assert extracted.extracted_by == "fallback" and extracted.title == "Un titre"
    assert "vraie publication" in extracted.body and "Accueil" not in extracted.body


def test_no_date_stays_none_and_language_hints() -> None:
    extracted = extract_article(
        page(lang=""), "https://cyber.gouv.fr/en/actualites/x/", SiteSelectors(), "fr"
    )
    assert extracted.published_at is None and extracted.language == "en"


def listing(spider_cls: type, base: str, html: str) -> HtmlResponse:
    request = Request(
        base + "/actualites/",
        meta={
            "canonical": "https://cyber.gouv.fr/actualites/",
            "listing": "https://cyber.gouv.fr/actualites/",
            "page": 1,
        },
    )
    return HtmlResponse(base + "/actualites/", body=html.encode(), encoding="utf-8", request=request)


def test_listing_card_dates_and_rel_next() -> None:
    base = "http://127.0.0.1:9"
    spider = spider_class("anssi")(base_url=base)
    html = """<html><head><link rel="next" href="/actualites/suite-2/"></head><body><ul>
      <li><h2><a href="/actualites/un/">Un</a></h2><time datetime="2026-02-12T10:00:00+01:00">12.02</time></li>
      <li><h2><a href="/actualites/deux/">Deux</a></h2><span>Publié le mercredi 1 mars 2023</span></li>
      <li><h2><a href="/actualites/trois/">Trois</a></h2><p>Le 11 février 2025, un texte.</p></li>
    </ul></body></html>"""
    response = listing(spider_class("anssi"), base, html)
    articles = {f"https://cyber.gouv.fr/actualites/{s}/" for s in ("un", "deux", "trois")}
    dates = card_dates(Selector(text=html), articles, lambda h: spider.canonical(h, base=response.url))
    assert dates == {
        "https://cyber.gouv.fr/actualites/un/": (utc(2026, 2, 12, 9), "time"),
        "https://cyber.gouv.fr/actualites/deux/": (utc(2023, 2, 28, 23), "day"),
    }
    assert spider.next_page(response, [], 1) == "https://cyber.gouv.fr/actualites/suite-2/"
    assert spider.next_page(response, ["https://cyber.gouv.fr/actualites/?page=2"], 1) == (
        "https://cyber.gouv.fr/actualites/?page=2"
    )


def test_spiders_share_the_base_and_know_their_source() -> None:
    for cls, host in (
        (spider_class("anssi"), "cyber.gouv.fr"),
        (spider_class("elysee"), "www.elysee.fr"),
        (spider_class("cesia"), "www.securite-ia.fr"),
    ):
        spider = cls(base_url="http://127.0.0.1:9/prefix/")
        assert spider.source.host == host and spider.base_url == "http://127.0.0.1:9/prefix"
        assert spider.canonical("/prefix/a", base="http://127.0.0.1:9/prefix/") == f"https://{host}/a"


def test_sitemap_since_and_gzip() -> None:
    config = parse_sources(
        {"x": {"canonical": "https://x.fr", "sitemaps": ["/s.xml"], "sitemap_since": "2025-01-01"}}
    )["x"]
    assert config.sitemap_since == "2025-01-01"
    with pytest.raises(ValueError, match="sitemap_since"):
        parse_sources({"x": {"canonical": "https://x.fr", "sitemaps": ["/s.xml"], "sitemap_since": "hier"}})
    spider = spider_class("elysee")()
    assert (
        spider.too_old("2017-05-14")
        and not spider.too_old("2025-02-11T18:30:00+01:00")
        and not spider.too_old(None)
    )
    xml = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.fr/a</loc></url></urlset>'
    assert [e.loc for e in iter_sitemap(gunzip_capped(gzip.compress(xml), 10_000))] == ["https://x.fr/a"]
    with pytest.raises(ValueError, match="beyond"):
        gunzip_capped(gzip.compress(b"<a>" + b" " * 5000 + b"</a>"), 1000)


def test_title_from_metadata_without_site_suffix() -> None:
    html = page(head='<meta property="og:title" content="Les actions de Paris pour l’IA | Élysée">').replace(
        "<h1>Un titre</h1>", ""
    )
    extracted = extract_article(
        html, "https://www.elysee.fr/emmanuel-macron/2025/02/11/x", SiteSelectors(), "fr"
    )
    assert extracted.title == "Les actions de Paris pour l’IA"
    assert extracted.published_at == utc(2025, 2, 10, 23)
