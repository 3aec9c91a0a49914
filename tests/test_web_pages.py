"""The HTML pages against a real server, on SQLite and PostgreSQL: content, language, filters, escaping."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.webserver import WebServer, seed_tracker


@pytest.fixture
def seeded(web_server: WebServer) -> WebServer:
    seed_tracker(web_server.db_url)
    return web_server


def get(web: WebServer, path: str, **headers: str) -> httpx.Response:
    return httpx.get(web.url + path, headers=headers, timeout=10)


def test_dashboard_shows_status_word_colour_and_last_evidence_in_both_languages(seeded: WebServer) -> None:
    fr = get(seeded, "/")
    assert fr.status_code == 200
    assert fr.headers["content-language"] == "fr"
    assert "En cours" in fr.text and "Non évalué" in fr.text
    assert '<span class="status" data-status="in_progress">' in fr.text  # colour (by CSS) beside its word
    card = fr.text[fr.text.index('href="/commitments/inesia"') - 600 :]
    assert "INESIA publication 11" in card[:2000]
    assert re.search(r"il y a \d+ j", card[:2500])

    en = get(seeded, "/", **{"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert en.headers["content-language"] == "en"
    assert "In progress" in en.text and "Not rated" in en.text and "days ago" in en.text

    forced = get(seeded, "/?lang=fr", **{"Accept-Language": "en"})
    assert forced.headers["content-language"] == "fr"
    assert 'href="/publications?lang=fr"' in forced.text  # an explicit choice is kept in links


def test_dashboard_filters(seeded: WebServer) -> None:
    in_progress = get(seeded, "/?status=in_progress").text
    assert 'href="/commitments/inesia"' in in_progress
    assert in_progress.count('class="card"') == 1
    safety = get(seeded, "/?theme=safety").text
    assert 'href="/commitments/inesia"' in safety
    assert 'href="/commitments/current-ai"' not in safety
    anssi = get(seeded, "/?actor=anssi").text
    assert 'href="/commitments/anssi-ai-awareness"' in anssi
    assert 'href="/commitments/current-ai"' not in anssi
    nothing = get(seeded, "/?actor=nobody-at-all")
    assert nothing.status_code == 200 and "Aucun engagement" in nothing.text
    junk = get(seeded, "/?status=<script>&theme=weather")
    assert junk.status_code == 200 and "<script>" not in junk.text
    nul = get(seeded, "/?status=<script>&theme=%00")  # a NUL byte in a URL is refused outright
    assert nul.status_code == 400 and "<script>" not in nul.text


def test_commitment_page_has_timeline_escaped_and_paged(seeded: WebServer) -> None:
    page = get(seeded, "/commitments/inesia?lang=en")
    assert page.status_code == 200
    text = page.text
    assert "INESIA" in text and "Status change" in text and "reviewer" in text
    assert "<script>alert" not in text and "&lt;script&gt;alert(3)&lt;/script&gt;" in text
    assert "Lancé &lt;i&gt;officiellement&lt;/i&gt;" in text
    assert "https://example.test/anssi/0" in text
    # 12 pieces of evidence, 30 per page: one page, status change placed among them by date.
    timeline = text[text.index('class="timeline"') :]
    order = re.findall(r"INESIA publication (\d+)|(Status change)", timeline)
    flat = [a or b for a, b in order]
    # changed on day 5 at 12:00: newer than publication 5 (09:00), older than publication 6
    assert flat.index("6") < flat.index("Status change") < flat.index("5")
    assert get(seeded, "/commitments/no-such-thing").status_code == 404


def test_commitment_timeline_pages_place_each_status_change_once(
    seeded: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web import pages

    monkeypatch.setattr(pages, "TIMELINE_PER_PAGE", 4)
    seen = []
    for number in (1, 2, 3):
        text = get(seeded, f"/commitments/inesia?lang=en&page={number}").text
        seen.append(text.count('class="event status-change"'))
        assert ("Older →" in text) == (number < 3)
    assert seen == [0, 1, 0]  # day 5 falls on page 2 (publications 7..4)


def test_publications_search_filters_and_pages(seeded: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from web import pages

    monkeypatch.setattr(pages, "PUBLICATIONS_PER_PAGE", 5)
    found = get(seeded, "/publications?q=rapport+numéro&source=anssi")
    assert found.status_code == 200
    assert found.text.count('<li>\n    <p class="title">') == 4
    assert "&lt;b&gt;bold&lt;/b&gt;" in found.text
    numbers = []
    for number in (1, 2, 3):
        text = get(seeded, f"/publications?q=institut&page={number}").text
        numbers += re.findall(r"INESIA publication (\d+) ", text)
        assert ("Suivant →" in text) == (number < 3)
    assert numbers == [str(n) for n in range(11, -1, -1)]  # newest first, no gap, no repeat
    dated = get(seeded, "/publications?since=2025-03-05&until=2025-03-07").text
    assert "INESIA publication 4 " in dated and "INESIA publication 5 " in dated
    assert "INESIA publication 6 " not in dated and "INESIA publication 3 " not in dated
    nothing = get(seeded, "/publications?q=zzzzyyyy")
    assert "Aucune publication" in nothing.text
    odd = get(seeded, "/publications?q=%22%29+OR+*&since=notadate&page=-3")
    assert odd.status_code == 200


def test_sources_page_shows_health(seeded: WebServer) -> None:
    text = get(seeded, "/sources?lang=en").text
    assert "never crawled" in text and "ANSSI" in text


def test_every_status_has_its_colour_in_the_stylesheet(web_server: WebServer) -> None:
    from web.i18n import STATUS_COLOURS

    css = get(web_server, "/static/site.css").text
    for status, colour in STATUS_COLOURS.items():
        assert f'[data-status="{status}"] {{ --status: {colour}; }}' in css


def test_security_headers_and_phone_viewport(seeded: WebServer) -> None:
    response = get(seeded, "/")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert 'name="viewport"' in response.text
    assert "<script" not in response.text
