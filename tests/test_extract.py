"""Unit tests of extraction: dates, canonical URLs, feeds, sitemaps (no database, no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.extract.dates import date_from_url, dates_in_text, parse_date
from crawler.feeds import FeedRefused, parse_feed
from crawler.sitemaps import iter_sitemap
from crawler.sources import get_source
from crawler.urls import canonicalize, dedupe_key, fetch_url
from tests.support.fixtures import sites_root


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lun 17/02/2025 - 15:34", utc(2025, 2, 17, 14, 34)),
        ("Publié le mercredi 1 mars 2023", utc(2023, 2, 28, 23)),
        ("12/2/2025", utc(2025, 2, 11, 23)),  # 12 February, day first, never 2 December
        ("11/7/2025", utc(2025, 7, 10, 22)),  # 11 July (summer time)
        ("4 janvier 2026", utc(2026, 1, 3, 23)),
        ("03/01/2026", utc(2026, 1, 2, 23)),
        ("1er mars 2023", utc(2023, 2, 28, 23)),
        ("28 Juillet 2022", utc(2022, 7, 27, 22)),
        ("17 août 2025 à 9h05", utc(2025, 8, 17, 7, 5)),
        ("12.02.2026", utc(2026, 2, 11, 23)),
        ("Thu, 12 Feb 2026 10:00:00 +0100", utc(2026, 2, 12, 9)),
        ("Thu, 02 Oct 2025 22:00:00 GMT", utc(2025, 10, 2, 22)),
        ("2026-02-12T10:00:00+01:00", utc(2026, 2, 12, 9)),
        ("2025-02-11T18:30:00Z", utc(2025, 2, 11, 18, 30)),
        ("2025-02-17", utc(2025, 2, 16, 23)),
        ("February 19, 2026", utc(2026, 2, 18, 23)),
        ("17 January 2025", utc(2025, 1, 16, 23)),
        ("", None),
        ("pas de date ici", None),
        ("31/02/2025", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_dates_in_text_separates_publication_and_update() -> None:
    assert dates_in_text("Publié le 28 Juillet 2022 Mis à jour le 28 Mai 2025") == (
        utc(2022, 7, 27, 22),
        utc(2025, 5, 27, 22),
    )
    assert dates_in_text("Mis à jour le : 17 janvier 2025") == (None, utc(2025, 1, 16, 23))
    published, modified = dates_in_text(
        "Publié le jeudi 12 février 2026 · Mis à jour le mercredi 18 mars 2026"
    )
    assert (published, modified) == (utc(2026, 2, 11, 23), utc(2026, 3, 17, 23))
    assert date_from_url("https://www.elysee.fr/emmanuel-macron/2025/02/11/x") == utc(2025, 2, 10, 23)
    assert date_from_url("https://www.elysee.fr/emmanuel-macron/discours") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://cyber.sites.beta.gouv.fr/actualites/x/", "https://cyber.gouv.fr/actualites/x/"),
        (
            "https://www.cyber.gouv.fr/actualites/x/?utm_source=rss&utm_medium=feed",
            "https://cyber.gouv.fr/actualites/x/",
        ),
        ("HTTPS://Cyber.Gouv.FR/actualites/x#comments", "https://cyber.gouv.fr/actualites/x"),
        (
            "https://cyber.gouv.fr/actualites/?page=2&fbclid=abc&gclid=d",
            "https://cyber.gouv.fr/actualites/?page=2",
        ),
        (
            "https://cyber.gouv.fr/actualites/cyber-résilience-la-directive/",
            "https://cyber.gouv.fr/actualites/cyber-r%C3%A9silience-la-directive/",
        ),
        (
            "https://cyber.gouv.fr/actualites/cyber-r%c3%a9silience-la-directive/",
            "https://cyber.gouv.fr/actualites/cyber-r%C3%A9silience-la-directive/",
        ),
        ("http://127.0.0.1:8765/actualites/x/", "https://cyber.gouv.fr/actualites/x/"),
        ("https://www.cert.ssi.gouv.fr/actualite/feed/", "https://www.cert.ssi.gouv.fr/actualite/feed/"),
    ],
)
def test_canonicalize_anssi(url: str, expected: str) -> None:
    assert canonicalize(url, get_source("anssi"), mirror="http://127.0.0.1:8765") == expected


def test_canonicalize_other_sites_and_fetch_urls() -> None:
    cesia, elysee = get_source("cesia"), get_source("elysee")
    assert canonicalize("https://securite-ia.fr/post/a", cesia) == "https://www.securite-ia.fr/post/a"
    assert canonicalize("/emmanuel-macron/2025/02/11/x", elysee, base="https://elysee.fr/") == (
        "https://www.elysee.fr/emmanuel-macron/2025/02/11/x"
    )
    assert dedupe_key("https://cyber.gouv.fr/a/") == dedupe_key("https://cyber.gouv.fr/a")
    assert fetch_url("https://www.elysee.fr/feed", elysee, "http://127.0.0.1:9/") == "http://127.0.0.1:9/feed"
    assert fetch_url("https://other.example/x", elysee, "http://127.0.0.1:9") == "https://other.example/x"


def test_feed_teasers_and_malformed_feed() -> None:
    feed = parse_feed((sites_root() / "anssi/actualites/rss/index.xml").read_bytes())
    assert feed.problem is None and len(feed.entries) >= 10
    assert all(e.is_teaser for e in feed.entries)
    assert feed.entries[0].published == utc(2026, 2, 12, 9)
    broken = parse_feed((sites_root() / "cesia/_variants/malformed-feed/blog-feed.xml").read_bytes())
    assert broken.problem  # bozo, recorded
    assert len(broken.entries) >= 1  # read as far as possible


LONG_MALFORMED_HEAD = b"<rss><channel><item><title>" + b"padding " * 1000 + b"</channel>"


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<rss><channel><title>&b;</title></channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><title>&x;</title></channel></rss>",
        # malformed before the declaration, which comes after the first 4 KB
        LONG_MALFORMED_HEAD
        + b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><title>&b;</title>',
        (LONG_MALFORMED_HEAD.decode() + '<!DOCTYPE r [<!ENTITY a "aa">]><title>&a;</title>').encode("utf-16"),
        LONG_MALFORMED_HEAD + b'<!entity x system "file:///etc/passwd">',
    ],
    ids=["bomb", "external", "late-bomb-in-malformed", "late-bomb-utf16", "late-lowercase-external"],
)
def test_xml_bombs_and_external_entities_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedRefused):
        parse_feed(payload)


def test_sitemap_index_and_urlset_stream() -> None:
    index = list(iter_sitemap((sites_root() / "elysee/sitemap.xml").read_bytes()))
    assert [e.is_sitemap for e in index] == [True, True]
    urls = list(iter_sitemap((sites_root() / "elysee/sitemap.publication.xml").read_bytes()))
    assert len(urls) >= 10 and all(not e.is_sitemap for e in urls)
    assert any("/francois-hollande/" in e.loc for e in urls)  # filtered later, by the spider
    elysee = get_source("elysee")
    scoped = [e for e in urls if elysee.in_sitemap_scope(e.loc.split("elysee.fr", 1)[1])]
    assert scoped and all("/emmanuel-macron/" in e.loc or "sommet" in e.loc for e in scoped)
