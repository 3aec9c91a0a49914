"""The methodology page, on SQLite and PostgreSQL: what a reader sees in French and in English."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import SIGNALS, STATUSES, CrawlRun, Source
from summitwatch.words import LANGUAGES, Words, known_ids
from tests.support.webserver import WebServer, seed_tracker
from tracker.accuracy import ACCURACY, TARGETS

CRAWLED = datetime(2026, 11, 30, 6, 15, tzinfo=UTC)


@pytest.fixture
def seeded(web_server: WebServer) -> WebServer:
    seed_tracker(web_server.db_url)
    with session_scope(web_server.db_url) as session:
        anssi = session.scalar(select(Source).where(Source.slug == "anssi"))
        assert anssi is not None
        session.add(
            CrawlRun(
                source_id=anssi.id,
                started_at=CRAWLED,
                finished_at=CRAWLED,
                status="ok",
                new=3,
                updated=1,
                errors=0,
            )
        )
    return web_server


def get(web: WebServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(web.url + path, headers=headers, timeout=10)


def text_of(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def figure_row(html: str, key: str) -> str:
    start = html.index(f'data-figure="{key}"')
    return text_of(html[start : html.index("</tr>", start)])


def test_every_word_the_page_builds_is_in_both_catalogues() -> None:
    ids = [f"meth_status.{s}" for s in STATUSES] + [f"meth_signal.{s}" for s in SIGNALS]
    ids += [f"meth_fig.{key}" for key in TARGETS] + ["meth_fig.link_precision", "meth_fig.link_recall"]
    ids += [f"meth_entry.{kind}" for kind in ("listings", "feeds", "sitemaps")]
    for lang in LANGUAGES:
        assert not [i for i in ids if i not in known_ids(lang)], lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_methodology_page_says_what_the_words_mean_and_how_accurate_the_tracker_is(
    seeded: WebServer, lang: str
) -> None:
    page = get(seeded, "/methodology", **{"Accept-Language": "en-GB,en;q=0.9" if lang == "en" else "fr"})
    assert page.status_code == 200
    assert page.headers["content-language"] == lang
    html, words = page.text, Words(lang)
    seen = text_of(html)
    assert "<script" not in html and not re.search(
        r"(src|href)=\"(https?:)?//", html
    )  # nothing from elsewhere
    # each status and each signal with its meaning
    for status in STATUSES:
        assert f'data-status="{status}"' in html
        assert text_of(words(f"meth_status.{status}")) in seen
    for signal in SIGNALS:
        assert words.signal(signal) in seen and text_of(words(f"meth_signal.{signal}")) in seen
    assert {"fr": "Tenu", "en": "Achieved"}[lang] in seen
    assert {"fr": "La règle des statuts", "en": "The status rule"}[lang] in seen
    assert "BM25" in seen
    assert {"fr": "chaque proposition attend un relecteur", "en": "every proposal waits for a reviewer"}[
        lang
    ] in seen
    # the sources, their entry points and the last refresh
    assert "https://cyber.gouv.fr/actualites/rss/" in seen  # an entry point of crawler/sources.toml
    last_crawl = {"fr": "30 novembre 2026", "en": "November 30, 2026"}[lang]
    refresh = html[html.index('class="figures refresh"') :]
    assert last_crawl in text_of(refresh[: refresh.index("</dl>")])
    assert {"fr": "12 mars 2025", "en": "March 12, 2025"}[lang] in text_of(refresh[: refresh.index("</dl>")])
    anssi = html[html.index('data-source="anssi"') :]
    assert last_crawl in text_of(anssi[: anssi.index("</article>")])
    # the figures exactly as the last measurement wrote them, with their targets and verdicts
    data = json.loads(ACCURACY.read_text(encoding="utf-8"))
    figures = data["figures"]
    assert words.number(data["publications"]) in seen and words.number(data["negatives"]) in seen
    f1 = figure_row(html, "link_f1")
    assert words.number(round(figures["link_f1"], 3)) in f1
    assert words.number(TARGETS["link_f1"]["at_least"]) in f1
    met = figures["link_f1"] >= TARGETS["link_f1"]["at_least"]
    assert words("meth_yes" if met else "meth_no") in f1
    negatives = figure_row(html, "negative_false_links")
    assert str(figures["negative_false_links"]) in negatives and "≤ 0" in negatives
    verdict = "meth_yes" if figures["negative_false_links"] == 0 else "meth_no"
    assert words(verdict) in negatives
    signal = figure_row(html, "signal_accuracy")
    assert words.number(round(figures["signal_accuracy"], 3)) in signal
    measured = {key: figures[key] for key in TARGETS if figures.get(key) is not None}
    met = sum(
        1
        for key, value in measured.items()
        if value >= TARGETS[key].get("at_least", float("-inf")) and value <= TARGETS[key].get("at_most", 1e9)
    )
    assert words("meth_targets_met", met=met, total=len(measured)) in seen
    assert met < len(measured) and words("meth_no") in seen  # what is not met is said so


def test_methodology_is_linked_from_the_navigation_the_footer_and_the_dashboard(seeded: WebServer) -> None:
    dashboard = get(seeded, "/?lang=en").text
    assert dashboard.count('href="/methodology?lang=en"') == 3  # navigation, dashboard, footer
    assert "Methodology" in dashboard
    page = get(seeded, "/methodology?lang=fr", **{"Accept-Language": "en"})
    assert page.headers["content-language"] == "fr" and "Méthodologie" in page.text
    assert 'href="/methodology?lang=fr" aria-current="page"' in page.text


def test_methodology_says_when_proposals_apply_without_a_reviewer(web_server_factory) -> None:
    web = web_server_factory(tracker__auto_apply_above="0.8")
    en = text_of(get(web, "/methodology?lang=en").text)
    assert "a proposal scored at least 0.8 is applied at once by “auto”" in en
    fr = text_of(get(web, "/methodology?lang=fr").text)
    assert "une proposition notée au moins 0,8 est appliquée aussitôt" in fr
    assert "Dernière collecte Jamais" in fr  # no crawl run yet, said so
