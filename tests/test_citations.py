"""Citations (text, BibTeX, CSL-JSON) and status history exports (JSON, CSV, Atom): web, API, CLI."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import httpx
import pytest

from tests.support.webserver import WebServer, seed_tracker
from tests.test_overview import settle
from web.citations import _bib
from web.i18n import Translator

TODAY = datetime.now(UTC).astimezone(ZoneInfo("Europe/Paris")).date()


@pytest.fixture
def settled(web_server: WebServer) -> WebServer:
    seed_tracker(web_server.db_url)
    settle(web_server.db_url)
    return web_server


def get(web: WebServer, path: str, **params: Any) -> httpx.Response:
    return httpx.get(web.url + path, params=params, timeout=10)


def test_commitment_citation_states_status_since_as_of_source_and_url(settled: WebServer) -> None:
    en = get(settled, "/api/v1/commitments/inesia/citation", lang="en")
    assert en.status_code == 200 and en.headers["content-type"].startswith("text/plain")
    text = en.text
    assert text.startswith("summitwatch, \u201cCreation of INESIA")
    assert "In progress since March 6, 2025" in text
    assert f"as of {Translator('en').date(TODAY)}" in text
    assert "source text: https://" in text and text.rstrip().endswith(f"{settled.url}/commitments/inesia")

    fr = get(settled, "/api/v1/commitments/inesia/citation", lang="fr").text
    assert fr.startswith("summitwatch, « Création de l'INESIA") and "En cours depuis le 6 mars 2025" in fr

    bib = get(settled, "/api/v1/commitments/inesia/citation", format="bibtex", lang="en").text
    assert bib.startswith("@online{summitwatch-inesia,") and f"urldate = {{{TODAY.isoformat()}}}" in bib
    csl = json.loads(get(settled, "/api/v1/commitments/inesia/citation", format="csl-json").text)
    assert csl[0]["URL"] == f"{settled.url}/commitments/inesia" and csl[0]["type"] == "webpage"

    assert get(settled, "/api/v1/commitments/nope/citation").status_code == 404
    assert get(settled, "/api/v1/commitments/inesia/citation", format="docx").status_code == 422


def test_evidence_citation_in_three_formats(settled: WebServer) -> None:
    evidence = get(settled, "/api/v1/evidence", commitment="inesia", per_page=1).json()["items"][0]
    path = f"/api/v1/evidence/{evidence['id']}/citation"
    published = datetime.fromisoformat(evidence["publication"]["published_at"]).date()
    title = evidence["publication"]["title"]

    text = get(settled, path, lang="en").text
    assert f"\u201c{title}\u201d, {Translator('en').date(published)}" in text
    assert evidence["publication"]["url"] in text
    assert "as evidence (signal: mention) for the commitment \u201cCreation of INESIA" in text
    assert "(status: In progress, as of" in text

    bib = get(settled, path, format="bibtex", lang="en")
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    fields = dict(line.strip().rstrip(",").split(" = ", 1) for line in bib.text.splitlines()[1:-1])
    assert fields["title"] == "{" + title + "}"
    assert fields["date"] == "{" + published.isoformat() + "}"
    assert fields["url"] == "{" + evidence["publication"]["url"] + "}"
    assert fields["langid"] == "{french}"

    csl = json.loads(get(settled, path, format="csl-json").text)[0]
    assert csl["issued"] == {"date-parts": [[published.year, published.month, published.day]]}
    assert csl["title"] == title and csl["URL"] == evidence["publication"]["url"]

    assert get(settled, "/api/v1/evidence/999999/citation").status_code == 404
    assert get(settled, "/api/v1/evidence/0/citation").status_code == 422


def test_bibtex_escapes_what_would_break_an_entry() -> None:
    assert _bib("R&D {50%} #1 a_b $x \\") == "R\\&D \\{50\\%\\} \\#1 a\\_b \\$x \\textbackslash{}"


def test_status_history_as_json_csv_and_atom_filtered(settled: WebServer) -> None:
    everything = get(settled, "/api/v1/status-history").json()
    assert [r["commitment"] for r in everything][0] == "inesia"  # 6 March 2025, before today's five
    assert len(everything) == 6
    assert everything[0]["old_status"] == "not_rated" and everything[0]["new_status"] == "in_progress"
    assert everything[0]["note"] == "Lancé <i>officiellement</i>"

    governance = get(settled, "/api/v1/status-history", theme="governance").json()
    assert [r["commitment"] for r in governance] == ["ai-act-national-authorities"]
    one = get(settled, "/api/v1/status-history", commitment="inesia", until="2025-04-01").json()
    assert len(one) == 1
    assert get(settled, "/api/v1/status-history", since="2025-04-01").json() == everything[1:]
    assert get(settled, "/api/v1/status-history", commitment="nope").status_code == 404

    exported = get(settled, "/api/v1/status-history.csv", commitment="inesia")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["old_status"], r["new_status"], r["changed_by"]) for r in rows] == [
        ("not_rated", "in_progress", "reviewer")
    ]

    feed = feedparser.parse(get(settled, "/feeds/status-changes.atom", lang="en").content)
    assert not feed.bozo and len(feed.entries) == 6
    titles = [e.title for e in feed.entries]
    assert titles[-1].startswith("Creation of INESIA") and titles[-1].endswith(" — Not rated → In progress")
    theme_feed = feedparser.parse(get(settled, "/feeds/status-changes.atom", theme="governance").content)
    assert len(theme_feed.entries) == 1


def test_commitment_page_offers_citation_and_exports(settled: WebServer) -> None:
    html = get(settled, "/commitments/inesia", lang="en").text
    cite = html[html.index('<details class="cite">') :]
    assert "Creation of INESIA" in cite[: cite.index("</textarea>")]
    assert "In progress since March 6, 2025" in cite
    for href in (
        "/api/v1/commitments/inesia/citation?format=bibtex&amp;lang=en",
        "/api/v1/status-history.csv?commitment=inesia",
        "/feeds/status-changes.atom?commitment=inesia&amp;lang=en",
    ):
        assert href in html
        assert get(settled, href.replace("&amp;", "&")).status_code == 200
    assert html.count('class="meta cite-links"') == 12  # one per piece of evidence


def test_cli_cites_and_exports(settled: WebServer, cli: Callable[..., Any]) -> None:
    text = cli("commitments", "cite", "inesia", "--lang", "en")
    assert text.code == 0, text.output
    assert "In progress since March 6, 2025" in text.stdout
    bib = cli("commitments", "cite", "inesia", "--format", "bibtex")
    assert bib.stdout.startswith("@online{summitwatch-inesia,")
    evidence_id = get(settled, "/api/v1/evidence", per_page=1).json()["items"][0]["id"]
    csl = cli("evidence", "cite", str(evidence_id), "--format", "csl-json")
    assert csl.code == 0 and json.loads(csl.stdout)[0]["id"] == f"summitwatch-evidence-{evidence_id}"
    missing = cli("evidence", "cite", "999999")
    assert missing.code != 0 and "no evidence with id 999999" in missing.output

    history = cli("commitments", "history", "--format", "json")
    assert json.loads(history.stdout) == get(settled, "/api/v1/status-history").json()
    as_csv = cli("commitments", "history", "--theme", "governance", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(as_csv.stdout)))[0]["to"] == "broken"
    table = cli("commitments", "history")
    assert "not_rated → in_progress" in table.stdout
