"""Newest-first paging of searches, publications and a commitment's evidence, on SQLite and PostgreSQL.

The queries behind the pages pick a path by cost (walk the newest publications, or sort
what an index found); every path must give the same pages as a plain sort, including
undated publications (last), ties on the date, filters, and pages past the end.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from storage.dateprecision import dated
from storage.db import session_scope
from storage.models import Commitment, Evidence, Publication, Source
from storage.publications import PublicationInput, upsert_publication
from storage.queries import evidence_dict, list_commitments, publication_dict
from storage.search import newest_matching_ids
from storage.web_queries import (
    _commitment_evidence,
    _evidence_dicts,
    _linked,
    _publication_dicts,
    commitment_list,
    commitment_page,
    commitment_rows,
    commitment_titles,
    evidence_page,
    publications_page,
)
from tests.support.webserver import WebServer

BASE = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
COUNT = 90
PAGES = [(0, 21), (20, 21), (60, 21), (75, 30), (79, 2), (200, 5)]


def _date(i: int) -> datetime | None:
    if i % 10 == 3:
        return None  # undated: listed after every dated one
    return BASE + timedelta(hours=i // 2)  # pairs share a date: the id breaks the tie


def _words(i: int) -> str:
    words = ["alphadense"]
    if i % 9 == 0:
        words.append("betasparse")
    if i % 2 == 0:
        words.append("gammahalf")
    return " ".join(words)


def seed(db_url: str) -> dict[str, Any]:
    """COUNT publications over three sources; evidence for inesia on two thirds, some rejected."""
    with session_scope(db_url) as session:
        inesia = session.scalars(select(Commitment).where(Commitment.slug == "inesia")).one()
        for i in range(COUNT):
            source = ("anssi", "elysee", "cesia")[i % 3]
            _, publication = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://example.test/p/{i}",
                    source=source,
                    title=f"Note {i}",
                    body=f"Le texte {i} contient {_words(i)} et rien d'autre.",
                    published_at=_date(i),
                    language="fr",
                ),
            )
            session.flush()
            if i % 3 != 1:
                session.add(
                    Evidence(
                        commitment_id=inesia.id,
                        publication_id=publication.id,
                        score=0.5,
                        signal="mention",
                        excerpt=f"extrait {i}",
                        matched_terms=["INESIA"],
                        review_state="rejected" if i % 11 == 0 else "unreviewed",
                    )
                )
        session.flush()
        rows = session.execute(
            select(Publication.id, Publication.published_at, Publication.body, Source.slug).join(Source)
        ).all()
        evidence = session.execute(
            select(Evidence.id, Publication.published_at, Evidence.review_state)
            .join(Publication)
            .where(Evidence.commitment_id == inesia.id)
        ).all()
        return {"publications": rows, "evidence": evidence, "inesia": inesia.id}


def newest(rows: list[tuple[int, datetime | None]]) -> list[int]:
    """The reference order: dated first, newest first, then the higher id."""
    return [
        i for i, _ in sorted(rows, key=lambda r: (r[1] is None, -(r[1].timestamp() if r[1] else 0), -r[0]))
    ]


@pytest.fixture
def data(db_url: str) -> dict[str, Any]:
    return seed(db_url)


@pytest.mark.parametrize(
    "words", ["alphadense", "betasparse", "gammahalf", "alphadense betasparse", "absentword"]
)
def test_search_paths_agree_with_a_plain_sort(db_url: str, data: dict[str, Any], words: str) -> None:
    rows = data["publications"]
    since = BASE + timedelta(hours=10)
    filters: dict[str, tuple[list[Any], Any]] = {
        "none": ([], lambda r: True),
        "source": (
            [Publication.source_id == select(Source.id).where(Source.slug == "elysee").scalar_subquery()],
            lambda r: r.slug == "elysee",
        ),
        "since": (
            [Publication.published_at >= since],
            lambda r: r.published_at is not None and r.published_at >= since,
        ),
    }
    with session_scope(db_url) as session:
        for name, (where, keep) in filters.items():
            expected = newest(
                [
                    (r.id, r.published_at)
                    for r in rows
                    if keep(r) and all(w in r.body.split() for w in words.split())
                ]
            )
            for offset, limit in PAGES:
                for walk in (None, True, False):
                    got = newest_matching_ids(session, words, where, offset, limit, walk=walk)
                    assert got == expected[offset : offset + limit], (name, offset, limit, walk)
    assert newest_matching_ids(session, "!!! ...", [], 0, 10) is None  # no words: no search


def test_publication_pages_cover_everything_once_newest_first(db_url: str, data: dict[str, Any]) -> None:
    expected = newest([(r.id, r.published_at) for r in data["publications"]])
    urls = {r.id: f"https://example.test/p/{int(r.body.split()[2])}" for r in data["publications"]}
    seen: list[str] = []
    with session_scope(db_url) as session:
        page, has_next = 1, True
        while has_next:
            items, has_next = publications_page(session, page=page, per_page=7)
            seen += [item["url"] for item in items]
            page += 1
        assert seen == [urls[i] for i in expected]
        searched, more = publications_page(session, search="betasparse", page=2, per_page=3)
        assert more and [s["url"] for s in searched] == [
            urls[i]
            for i in newest([(r.id, r.published_at) for r in data["publications"] if "betasparse" in r.body])[
                3:6
            ]
        ]


def test_commitment_evidence_paths_agree_and_pages_bracket_status_changes(
    db_url: str, data: dict[str, Any]
) -> None:
    kept = [(e.id, e.published_at) for e in data["evidence"] if e.review_state != "rejected"]
    expected = newest(kept)
    with session_scope(db_url) as session:
        linked, not_rejected = _linked(session, data["inesia"])
        assert (linked, not_rejected) == (len(data["evidence"]), len(kept))
        for offset, limit in PAGES:
            for walk in (None, True, False):
                got = _commitment_evidence(session, data["inesia"], linked, offset, limit, walk=walk)
                assert [i for i, _ in got] == expected[offset : offset + limit], (offset, limit, walk)

        items, has_next = evidence_page(session, commitment="inesia", page=2, per_page=25)
        assert [e["id"] for e in items] == expected[25:50] and has_next
        pages: list[int] = []
        page = 1
        while True:
            detail = commitment_page(session, "inesia", page=page, per_page=13)
            assert detail["evidence_count"] == len(kept)
            pages += [item["id"] for item in detail["timeline"] if item["kind"] == "evidence"]
            if not detail["has_next"]:
                break
            page += 1
        assert pages == expected
        newest_date = max(d for _, d in kept if d is not None)
        assert detail["last_evidence_at"] == dated(newest_date, None)  # as precisely as known, local


def test_search_page_over_http_is_newest_first(web_server: WebServer) -> None:
    data = seed(web_server.db_url)
    expected = newest([(r.id, r.published_at) for r in data["publications"] if "gammahalf" in r.body.split()])
    titles = {r.id: f"Note {int(r.body.split()[2])}" for r in data["publications"]}
    page = httpx.get(web_server.url + "/publications?q=gammahalf&page=2", timeout=10)
    assert page.status_code == 200
    assert re.findall(r">(Note \d+)</a>", page.text) == [titles[i] for i in expected[20:40]]
    api = httpx.get(web_server.url + "/api/v1/publications?search=gammahalf&per_page=50", timeout=10).json()
    assert [p["title"] for p in api["items"]] == [titles[i] for i in expected[:50]]


def test_plain_row_dicts_match_the_documented_shapes(db_url: str, data: dict[str, Any]) -> None:
    """The pages and the API read rows without ORM objects; the JSON must stay `storage.queries`' one."""
    with session_scope(db_url) as session:
        evidence = session.scalars(select(Evidence).order_by(Evidence.id.desc()).limit(12)).all()
        ids = [e.id for e in evidence]
        assert _evidence_dicts(session, ids) == [evidence_dict(e) for e in evidence]
        publications = session.scalars(select(Publication).order_by(Publication.id).limit(12)).all()
        upsert_publication(  # one with a revision
            session,
            PublicationInput(
                url=publications[0].url,
                source="anssi",
                title="Note 0, revue",
                body="Le texte 0 a changé.",
                published_at=_date(0),
                language="fr",
            ),
        )
        session.flush()
        session.expire_all()
        ids = [p.id for p in publications]
        assert _publication_dicts(session, ids) == [
            publication_dict(p)
            for p in session.scalars(
                select(Publication).where(Publication.id.in_(ids)).order_by(Publication.id)
            )
        ]
        assert _publication_dicts(session, ids)[0]["revisions"] == 1


def test_commitment_list_is_list_commitments(db_url: str, data: dict[str, Any]) -> None:
    """The dashboard and the API build the commitment rows their own (faster) way; same rows."""
    with session_scope(db_url) as session:
        for filters in ({}, {"theme": "safety"}, {"status": "not_rated"}, {"actor": "fra"}):
            assert commitment_list(session, **filters) == list_commitments(session, **filters), filters
        rows = {row["slug"]: row for row in commitment_rows(session)}
        kept = [e for e in data["evidence"] if e.review_state != "rejected"]
        assert rows["inesia"]["evidence_count"] == len(kept)
        newest_id = newest([(e.id, e.published_at) for e in kept])[0]
        newest_date = next(e.published_at for e in kept if e.id == newest_id)
        assert rows["inesia"]["last_evidence"]["published_at"] == dated(newest_date, None)
        assert commitment_titles(session)[0] == {
            "slug": rows_first(rows),
            "title": rows[rows_first(rows)]["title"],
        }


def rows_first(rows: dict[str, Any]) -> str:
    return next(iter(rows))
