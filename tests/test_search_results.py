"""Search results that show why: the passage with the matched words, the count, relevance order.

On SQLite (FTS5 `snippet()` and `bm25()`) and PostgreSQL (the stored tsvector of migration
0013 with its GIN index, `ts_headline()` and `ts_rank_cd()`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text

import storage.search_results as results
from storage.db import session_scope
from storage.models import Publication
from storage.publications import PublicationInput, upsert_publication
from storage.search_results import START, STOP, search_publications, segments
from tests.support.webserver import WebServer

BASE = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
FILLER = "Le comité a publié un rapport sur la gouvernance des systèmes numériques. " * 30


def seed(db_url: str) -> dict[str, int]:
    """30 publications: `zorblax` in some bodies (once, deep in a long text), in one title and
    body several times (the best match), and one hostile body."""
    ids: dict[str, int] = {}
    with session_scope(db_url) as session:
        for i in range(30):
            body = f"Texte {i}. " + (FILLER + "Une mention de zorblax ici. " if i % 3 == 0 else FILLER)
            title = f"Note {i}"
            if i == 7:
                title, body = "Zorblax lancé", "Zorblax est lancé. Le zorblax est financé. Zorblax encore."
            if i == 11:
                body = "<script>alert(1)</script> zorblax & <b>gras</b>"
            _, pub = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://example.test/s/{i}",
                    source=("anssi", "elysee", "cesia")[i % 3],
                    title=title,
                    body=body,
                    published_at=BASE + timedelta(days=i),
                    language="fr",
                ),
            )
            session.flush()
            ids[title] = pub.id
    return ids


def matching_titles(i_max: int = 30) -> set[str]:
    return {f"Note {i}" for i in range(i_max) if i % 3 == 0} | {"Zorblax lancé", "Note 11"}


def test_segments_split_marked_passages() -> None:
    assert segments(f"a {START}b{STOP} c {START}d{STOP}") == [
        ("a ", False),
        ("b", True),
        (" c ", False),
        ("d", True),
    ]
    assert segments(None) == [] and segments("plain") == [("plain", False)]
    assert segments(f"x{STOP}y") == [("xy", False)]  # a stray marker is dropped, never shown


def test_count_passages_and_both_orders(db_url: str) -> None:
    ids = seed(db_url)
    expected = matching_titles()
    with session_scope(db_url) as session:
        found = search_publications(session, "zorblax", per_page=50)
        assert found is not None and found.total == len(expected) and not found.capped
        assert {row["title"] for row in found.rows} == expected
        dates = [row["published_at"] for row in found.rows]
        assert dates == sorted(dates, reverse=True), "date order: newest first"
        for row in found.rows:
            hits = [t for t, hit in row["passage"] if hit]
            assert hits and all(re.fullmatch(r"(?i)zorblax", h.strip()) for h in hits), row["passage"]
        assert (
            "".join(t for t, _ in found.rows[0]["passage"]).count("mention") <= 2
        )  # a passage, not the body

        ranked = search_publications(session, "zorblax", per_page=5, sort="relevance")
        assert ranked is not None and ranked.rows[0]["title"] == "Zorblax lancé"
        assert ranked.total == found.total and ids["Zorblax lancé"]

        anssi = search_publications(session, "zorblax", source="anssi", per_page=50)
        from_anssi = [r["url"] for r in found.rows if r["source"] == "anssi"]
        assert anssi is not None and anssi.total == len(from_anssi) >= 2
        assert [r["url"] for r in anssi.rows] == from_anssi

        paged = search_publications(session, "zorblax", page=2, per_page=4)
        assert paged is not None and [r["url"] for r in paged.rows] == [r["url"] for r in found.rows[4:8]]
        assert search_publications(session, "...") is None
        none = search_publications(session, "absentword")
        assert none is not None and none.total == 0 and none.rows == []


def test_count_stops_at_the_cap(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(db_url)
    monkeypatch.setattr(results, "COUNT_CAP", 4)
    with session_scope(db_url) as session:
        found = search_publications(session, "zorblax")
        assert found is not None and found.capped and found.total == 4


def test_a_changed_body_is_searched_by_its_new_words(db_url: str) -> None:
    ids = seed(db_url)
    with session_scope(db_url) as session:
        publication = session.get(Publication, ids["Note 4"])
        assert publication is not None
        publication.body = "Désormais il parle de quuxinator."
    with session_scope(db_url) as session:
        found = search_publications(session, "quuxinator")
        assert found is not None and [r["title"] for r in found.rows] == ["Note 4"] and ids["Note 4"]


def test_postgresql_reads_the_stored_vector_through_its_gin_index(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's stored tsvector")
    seed(db_url)
    with session_scope(db_url) as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            session.execute(
                text(
                    "EXPLAIN SELECT id FROM publications "
                    "WHERE search_vector @@ plainto_tsquery('french', 'financements')"
                )
            ).scalars()
        )
        assert "ix_publications_search_vector" in plan, plan
        stemmed = search_publications(session, "lancer")  # French stemming: 'lancé' and 'lancer'
        assert stemmed is not None and stemmed.total >= 1
        count = session.scalar(select(Publication.id).where(text("search_vector IS NULL")).limit(1))
        assert count is None, "every publication has its vector"


def test_search_page_shows_count_and_marked_words_escaped(web_server: WebServer) -> None:
    seed(web_server.db_url)
    page = httpx.get(web_server.url + "/publications", params={"q": "zorblax"}, timeout=10)
    assert page.status_code == 200
    assert (
        f"{len(matching_titles())} résultats" in page.text or f"{len(matching_titles())} results" in page.text
    )
    assert re.search(r"<mark>zorblax</mark>", page.text, re.I)
    # SQLite's snippet keeps the text (escaped here); PostgreSQL's ts_headline drops tags
    assert "<script>alert(1)</script>" not in page.text and "<b>gras" not in page.text
    if web_server.db_url.startswith("sqlite"):
        assert "&lt;script&gt;" in page.text
    ranked = httpx.get(
        web_server.url + "/publications", params={"q": "zorblax", "sort": "relevance"}, timeout=10
    )
    titles = re.findall(r'rel="noopener noreferrer nofollow">([^<]+)</a>', ranked.text)
    assert titles[0] == "Zorblax lancé", titles[:3]
    plain = httpx.get(web_server.url + "/publications", timeout=10)
    assert "<mark>" not in plain.text and "résultats" not in plain.text
