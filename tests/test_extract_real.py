"""Extraction on the redesigned sites' markup (tests/sites/real), date precision, page and overwrite checks.

No database, no network: the mirror files are read as the spider would receive them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from parsel import Selector

from crawler.extract.article import extract_article
from crawler.extract.datepick import PageDate, pick
from crawler.extract.dates import parse_dated
from crawler.extract.metadata import feed_links
from crawler.quality import page_problem
from crawler.sources import SourcesError, get_source, parse_sources
from storage.overwrite import generic_title, replacement_problem
from tests.support.fixtures import sites_root

REAL = sites_root() / "real"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def extract(site: str, path: str, url: str):  # type: ignore[no-untyped-def]
    source = get_source(site)
    html = (REAL / site / path).read_text(encoding="utf-8")
    return extract_article(html, url, source.selectors, source.language)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-03T09:15:00+01:00", (utc(2026, 3, 3, 8, 15), "time")),
        ("2025-10-16T00:00:00.000Z", (utc(2025, 10, 15, 22), "day")),  # a CMS's way to write a day
        ("2026-02-12T10:30:00.000Z", (utc(2026, 2, 12, 10, 30), "time")),
        ("Publié le 03/03/2026", (utc(2026, 3, 2, 23), "day")),
        ("lun 17/02/2025 - 15:34", (utc(2025, 2, 17, 14, 34), "time")),
        ("Thu, 12 Feb 2026 23:00:00 GMT", (utc(2026, 2, 12, 23), "day")),  # Paris midnight: a day
        ("Tue, 03 Mar 2026 09:15:00 +0100", (utc(2026, 3, 3, 8, 15), "time")),
    ],
)
def test_dates_keep_their_precision(text: str, expected: tuple[datetime, str]) -> None:
    assert parse_dated(text) == expected


def test_a_time_on_the_same_day_refines_a_day_but_a_contradiction_does_not() -> None:
    day = PageDate(utc(2026, 3, 2, 23), "day", "text")
    same_day = PageDate(utc(2026, 3, 3, 8, 15), "time", "metadata")
    other_day = PageDate(utc(2026, 2, 27, 8, 15), "time", "metadata")
    assert pick([day, same_day]) == same_day
    assert pick([day, other_day]) == day
    assert pick([None, other_day, day]) == other_day
    assert pick([]) is None


def test_anssi_2026_page_metadata_time_beats_the_visible_day() -> None:
    slug = "agents-dia-lanssi-publie-ses-recommandations-de-securite"
    page = extract("anssi", f"actualites/{slug}/index.html", f"https://cyber.gouv.fr/actualites/{slug}/")
    assert page.title == "Agents d'IA : l'ANSSI publie ses recommandations de sécurité"
    assert (page.published_at, page.date_precision) == (utc(2026, 3, 3, 8, 15), "time")
    assert page.extracted_by == "selectors" and page.says_article
    assert page.body.startswith("Un an après le Sommet") and "trente recommandations" in page.body
    assert "Sur le même sujet" not in page.body and "Premier" not in page.body


def test_elysee_redesign_reads_json_ld_and_falls_back_for_the_text() -> None:
    path = "emmanuel-macron/2026/02/19/discours-du-president-de-la-republique-au-sommet-sur-limpact-de-lia-a-new-delhi"
    page = extract("elysee", f"{path}.html", f"https://www.elysee.fr/{path}")
    assert (page.published_at, page.date_precision) == (utc(2026, 2, 19, 10, 30), "time")
    assert page.extracted_by == "fallback"  # the configured card__body is gone
    assert "Current AI" in page.body
    for furniture in ("Seul le prononcé fait foi", "Télécharger le .pdf", "Emmanuel MACRON", "Partager"):
        assert furniture not in page.body
    assert page.title == "Discours du Président de la République au sommet sur l'impact de l'IA à New Delhi"


def test_a_related_card_date_is_not_the_page_date() -> None:
    html = (
        "<html><body><main><article><h1>Un titre</h1><p>Un texte assez long pour être un article, "
        "et même un peu plus long que cela pour passer le seuil.</p></article>"
        '<aside><div class="fr-card"><h3><a href="/x">X</a></h3><time datetime="2024-01-01">1er janvier</time>'
        "</div></aside></main></body></html>"
    )
    source = get_source("anssi")
    page = extract_article(html, "https://cyber.gouv.fr/actualites/sans-date/", source.selectors, "fr")
    assert page.published_at is None


def test_wix_post_under_blog_and_its_feed_found_by_autodiscovery() -> None:
    slug = "inesia-un-an-apres-des-moyens-toujours-insuffisants"
    page = extract("cesia", f"blog/{slug}.html", f"https://www.securite-ia.fr/blog/{slug}")
    assert (page.published_at, page.date_precision) == (utc(2026, 2, 12, 10, 30), "time")
    assert page.title == "INESIA, un an après : des moyens toujours insuffisants"
    assert "loi de programmation" in page.body and "min de lecture" not in page.body
    home = Selector(text=(REAL / "cesia/index.html").read_text(encoding="utf-8"))
    assert feed_links(home) == ["https://www.securite-ia.fr/feed"]
    assert feed_links(
        Selector(text='<link rel="Alternate feed" type="application/rss+xml; charset=utf-8" href="/f">')
    ) == ["/f"]


def test_maintenance_garbage_and_challenge_pages_are_no_articles() -> None:
    source = get_source("anssi")
    maintenance = (REAL / "anssi/_variants/maintenance/maintenance.html").read_bytes()
    page = extract_article(
        maintenance.decode(), "https://cyber.gouv.fr/actualites/x/", source.selectors, "fr"
    )
    assert page_problem(maintenance, maintenance.decode(), page) == "maintenance page"
    garbage = (REAL / "anssi/_variants/garbage/garbage.bin").read_bytes()
    text = garbage.decode("utf-8", "replace")
    page = extract_article(text, "https://cyber.gouv.fr/actualites/x/", source.selectors, "fr")
    assert page_problem(garbage, text, page) == "binary content, not a web page"
    slug = "ia-generative-et-cybermenace-synthese-2026"
    good = (REAL / "anssi" / "actualites" / slug / "index.html").read_bytes()
    article = extract_article(
        good.decode(), f"https://cyber.gouv.fr/actualites/{slug}/", source.selectors, "fr"
    )
    assert page_problem(good, good.decode(), article) is None
    # An article that speaks of an outage is still an article.
    long_text = (
        "<p>" + "Le service était temporairement indisponible pendant l'attaque, puis rétabli. " * 30 + "</p>"
    )
    html = f"<html><head><title>Retour sur l'incident</title></head><body><article><h1>Retour sur l'incident</h1>{long_text}</article></body></html>"
    mention = extract_article(html, "https://cyber.gouv.fr/actualites/y/", source.selectors, "fr")
    assert page_problem(html.encode(), html, mention) is None


def test_a_refetch_that_lost_its_text_or_its_title_is_refused() -> None:
    body = "Un long texte d'article. " * 40
    assert (
        replacement_problem(
            "Feuille de route de l'INESIA", body, "Feuille de route de l'INESIA", body + " Ajout."
        )
        is None
    )
    assert "lost most of its text" in (replacement_problem("Titre", body, "Titre", body[:200]) or "")
    assert "title turned generic" in (replacement_problem("Titre précis", body, "Accueil", body) or "")
    assert "title turned generic" in (
        replacement_problem("Titre précis", body, "ANSSI", body, ("ANSSI",)) or ""
    )
    assert (
        generic_title("404 Not Found")
        and generic_title("Erreur 503")
        and generic_title("Site en maintenance")
    )
    assert not generic_title("500 millions pour la recherche") and not generic_title("L'ANSSI recrute")


def test_sources_toml_errors_name_table_and_key() -> None:
    base = {"canonical": "https://x.fr", "feeds": ["/rss"]}
    assert parse_sources({"press": base})["press"].has_selectors is False
    configured = parse_sources({"press": {**base, "selectors": {"body": ["div.texte"], "title": ["h1"]}}})
    assert configured["press"].selectors.body == ("div.texte",)
    for table, message in (
        ({**base, "selectors": {"body": ["div[["]}}, r"\[press\] selectors body: bad CSS selector"),
        ({**base, "selectors": {"corps": ["p"]}}, r"\[press\] selectors: unknown keys \['corps'\]"),
        ({"canonical": "https://x.fr"}, r"\[press\]: give at least one of listings, feeds or sitemaps"),
        ({**base, "canonical": "http://x.fr"}, r"\[press\]: canonical must be an https:// URL"),
    ):
        with pytest.raises(SourcesError, match=message):
            parse_sources({"press": table})
