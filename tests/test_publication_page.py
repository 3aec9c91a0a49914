"""The publication page: text, the commitments it is evidence for, stored versions and a word diff."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Commitment, Evidence
from storage.publications import PublicationInput, upsert_publication
from tests.support.webserver import WebServer
from web.word_diff import CONTEXT, word_diff

URL = "https://www.example.gouv.fr/actualites/inesia-feuille-de-route"
FILLER = " ".join(f"mot{i}" for i in range(200))
VERSIONS = (
    f"L'INESIA publie sa feuille de route. {FILLER} Le budget est de 10 millions d'euros.",
    f"L'INESIA publie sa feuille de route. {FILLER} Le budget est de 12 millions d'euros.",
    f"L'institut publie sa feuille de route. {FILLER} Le budget est de 12 millions d'euros.",
)


def seed_versions(db_url: str) -> None:
    """One page stored three times, each with a changed text; evidence for INESIA on it."""
    for n, body in enumerate(VERSIONS):
        with session_scope(db_url) as session:
            _, publication = upsert_publication(
                session,
                PublicationInput(
                    url=URL,
                    source="anssi",
                    title="Feuille de route <em>2026</em>" + (" (mise à jour)" if n == 2 else ""),
                    body=body,
                    published_at=datetime(2026, 2, 3, 10, tzinfo=UTC),
                    language="fr",
                ),
            )
            if n == 0:
                session.flush()
                inesia = session.scalars(select(Commitment).where(Commitment.slug == "inesia")).one()
                session.add(
                    Evidence(
                        commitment_id=inesia.id,
                        publication_id=publication.id,
                        score=0.8,
                        signal="progress",
                        excerpt="L'INESIA publie sa feuille de route.",
                        matched_terms=["INESIA"],
                    )
                )


@pytest.fixture
def versioned(web_server: WebServer) -> WebServer:
    seed_versions(web_server.db_url)
    return web_server


def get(web: WebServer, **params: str) -> httpx.Response:
    return httpx.get(web.url + "/publication", params=params, timeout=10)


def test_publication_page_shows_text_evidence_versions_and_the_last_change(versioned: WebServer) -> None:
    page = get(versioned, url=URL, lang="en")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Feuille de route &lt;em&gt;2026&lt;/em&gt; (mise à jour)</h1>" in html
    evidence = html[html.index('class="evidence-of"') : html.index('class="revisions"')]
    assert 'href="/commitments/inesia?lang=en"' in evidence and "Creation of INESIA" in evidence
    assert "Signal: progress" in evidence
    assert "the current version of the page no longer contains INESIA" in evidence
    revisions = html[html.index('class="revisions"') : html.index('class="text"')]
    assert revisions.count("<li value=") == 3 and "current version" in revisions
    # Default: the version before the current text against it.
    assert "Differences between versions 2 and 3" in revisions
    assert "L&#39;<del>INESIA</del><ins>institut</ins>" in revisions
    assert "<ins> (mise à jour)</ins>" in revisions
    assert "[…]" in revisions  # the unchanged rest is left out
    assert "mot100" not in revisions and "12 millions" not in revisions
    text = html[html.index('class="text"') :]
    assert "L&#39;institut publie sa feuille de route." in text and "mot199" in text


def test_any_two_versions_compare(versioned: WebServer) -> None:
    html = get(versioned, url=URL, **{"from": "1", "to": "2", "lang": "fr"}).text
    assert "Différences entre les versions 1 et 2" in html
    assert "<del>10</del><ins>12</ins>" in html
    assert "1 mot ajouté, 1 supprimé" in html  # proper singulars
    same = get(versioned, url=URL, **{"from": "2", "to": "2"}).text
    assert "Aucune différence de texte entre ces versions." in same
    clamped = get(versioned, url=URL, **{"from": "-4", "to": "99"})
    assert clamped.status_code == 200 and "Différences entre les versions 1 et 3" in clamped.text


def test_unknown_publication_is_a_404_and_the_commitment_page_links_here(versioned: WebServer) -> None:
    missing = get(versioned, url="https://nowhere.example/x")
    assert missing.status_code == 404 and "no publication stored at https://nowhere.example/x" in missing.text
    commitment = httpx.get(versioned.url + "/commitments/inesia", timeout=10).text
    assert (
        "/publication?url=https%3A%2F%2Fwww.example.gouv.fr%2Factualites%2Finesia-feuille-de-route"
        in commitment
    )


def test_word_diff_marks_words_and_keeps_context() -> None:
    diff = word_diff("Le budget est de 10 millions.", "Le budget est de 12 millions d'euros.")
    assert (diff.inserted, diff.deleted) == (4, 1)  # 12, d, ', euros
    shown = "".join(f"[{p.op}:{p.text}]" if p.op != "equal" else p.text for p in diff.pieces)
    assert shown == "Le budget est de [delete:10][insert:12] millions[insert: d'euros]."
    long = word_diff(FILLER + " fin", FILLER + " suite")
    kept = [p for p in long.pieces if p.op == "equal"]
    assert [p.op for p in long.pieces][:2] == ["gap", "equal"]
    assert len(kept[0].text.split()) == CONTEXT
    assert word_diff("même texte", "même texte").unchanged
