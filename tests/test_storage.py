"""Storage on SQLite and PostgreSQL: migrations, baseline, publications, status."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from storage import migrate
from storage.baseline import COMMITMENTS_FILE, BaselineError, load, read_commitments
from storage.crawls import store_page
from storage.dateprecision import local_day
from storage.db import make_engine, session_scope
from storage.importer import import_jsonl
from storage.models import (
    Commitment,
    Evidence,
    Publication,
    PublicationRevision,
    Snapshot,
    Source,
    StatusChange,
)
from storage.publications import PublicationInput, snapshot_bytes, store_snapshot, upsert_publication
from storage.queries import commitment_detail, list_commitments, list_publications
from storage.status import StatusError, set_status

SHARED = Path(__file__).resolve().parents[2] / "shared" / "commitments.md"
# A copy travels with the repository: CI's clean clone may not sit beside ../shared.
COPY = Path(__file__).resolve().parent / "data" / "commitments.md"


def required_slugs() -> list[str]:
    """The slugs the client's commitments.md lists (the table's first column)."""
    text_ = (SHARED if SHARED.is_file() else COPY).read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z0-9-]+)` \|", text_, flags=re.M)


def test_migrations_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"publications", "commitments", "evidence", "deliveries", "snapshots", "crawl_runs"} <= tables
    migrate.check(engine)  # models and migrations agree
    assert migrate.is_current(engine)
    migrate.downgrade(engine, "base")
    assert not set(inspect(engine).get_table_names()) - {"alembic_version"}
    migrate.upgrade(engine)
    migrate.check(engine)
    engine.dispose()


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_baseline_holds_every_commitment_of_the_brief() -> None:
    slugs = [c.slug for c in read_commitments()]
    expected = required_slugs()
    assert len(expected) >= 29
    assert sorted(slugs) == sorted(expected)
    for spec in read_commitments():
        assert spec.aliases.fr or spec.aliases.en, spec.slug
        assert spec.title.fr != spec.title.en or spec.slug in {"current-ai", "roost"}, spec.slug


def test_baseline_load_is_idempotent_and_keeps_history(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        report = load(session)
        assert report.changes == 0 and report.unchanged == len(required_slugs())
        inesia = session.scalar(select(Commitment).where(Commitment.slug == "inesia"))
        source = session.scalar(select(Source).where(Source.slug == "cesia"))
        pub = Publication(
            source_id=source.id, url="https://example.org/a", title="t", body="b", content_hash="h"
        )
        session.add(pub)
        session.flush()
        ev = Evidence(commitment_id=inesia.id, publication_id=pub.id, score=0.9, signal="setback")
        session.add(ev)
        session.flush()
        set_status(session, inesia, "in_progress", changed_by="tester", evidence=ev)

    # A changed title in the file updates the row; evidence and history stay.
    changed = COMMITMENTS_FILE.read_text(encoding="utf-8")
    spec = next(c for c in read_commitments() if c.slug == "inesia")
    tmp = tmp_path / "renamed.yaml"
    tmp.write_text(changed.replace(spec.title.en, spec.title.en + " (renamed)", 1), encoding="utf-8")
    with session_scope(db_url) as session:
        report = load(session, commitments_path=tmp)
        assert report.updated == {"inesia": ["title_en"]}
    with session_scope(db_url) as session:
        detail = commitment_detail(session, "inesia")
        assert detail["title"]["en"].endswith("(renamed)")
        assert detail["status"] == "in_progress"
        assert [h["new_status"] for h in detail["history"]] == ["in_progress"]
        assert len(detail["evidence"]) == 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.replace("slug: current-ai", "slug: inesia", 1), r"line \d+: duplicate slug 'inesia'"),
        (lambda s: s.replace("made_on: 2025-01-31", "made_on: 2025-13-45", 1), r"line \d+: .*made_on"),
        (
            lambda s: s.replace("    theme: ", "    colour: blue\n    theme: ", 1),
            r"line \d+: .*colour.*(extra|not permitted)",
        ),
        (lambda s: s + "\n  - [unclosed\n", r"line \d+: invalid YAML"),
    ],
    ids=["duplicate-slug", "bad-date", "unknown-field", "broken-yaml"],
)
def test_bad_baseline_names_the_line_and_writes_nothing(
    db_url: str, tmp_path: Path, mutate, message: str
) -> None:
    original = COMMITMENTS_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate(original), encoding="utf-8")
    assert bad.read_text(encoding="utf-8") != original
    with session_scope(db_url) as session:
        before = session.scalar(select(func.max(Commitment.updated_at)))
        with pytest.raises(BaselineError, match=message):
            load(session, commitments_path=bad)
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count(Commitment.id))) == len(required_slugs())
        assert session.scalar(select(func.max(Commitment.updated_at))) == before


def test_publication_upsert_keeps_revisions_and_snapshots(db_url: str) -> None:
    when = datetime(2025, 2, 17, 14, 34, tzinfo=UTC)
    item = PublicationInput(
        url="https://cyber.gouv.fr/actualites/x/",
        source="anssi",
        title="Titre",
        body="Corps v1",
        published_at=when,
    )
    with session_scope(db_url) as session:
        sha = store_snapshot(session, item.url, b"<html>v1</html>", "text/html")
        item.snapshot_sha256 = sha
        assert upsert_publication(session, item)[0] == "new"
        assert upsert_publication(session, item)[0] == "unchanged"
        item.body = "Corps v2"
        assert upsert_publication(session, item)[0] == "updated"
    with session_scope(db_url) as session:
        pub = session.scalar(select(Publication).where(Publication.url == item.url))
        assert pub.body == "Corps v2" and pub.published_at == when
        revisions = session.scalars(select(PublicationRevision)).all()
        assert [r.body for r in revisions] == ["Corps v1"]
        assert snapshot_bytes(session.get(Snapshot, sha)) == b"<html>v1</html>"
        with pytest.raises(ValueError, match="unknown source 'nope'"):
            upsert_publication(
                session, PublicationInput(url="https://x.org", source="nope", title="t", body="b")
            )


CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_stored_text_loses_its_control_characters(db_url: str) -> None:
    """The crawler's road in (`store_page`, as its pipeline calls it), a revision, and a note."""
    item = PublicationInput(
        url="https://cyber.gouv.fr/actualites/controle/",
        source="anssi",
        title="\x1b[31mAlerte\x1b[0m\r\nrouge\x07",
        body="Premier\x00 paragraphe\x1b]0;titre\x07.\r\nSecond\x9b2J paragraphe\tici.",
        summary="R\u00e9sum\u00e9\x08",
        tags=["cyber\x1b[1m", "\x00"],
        published_at=datetime(2025, 2, 17, tzinfo=UTC),
    )
    assert store_page(item, b"<html>\x1b</html>", "text/html", url=db_url) == ("new", None)
    item.body += "\x1b[2J Troisi\u00e8me."
    assert store_page(item, None, None, url=db_url) == ("updated", None)
    with session_scope(db_url) as session:
        pub = session.scalars(select(Publication)).one()
        assert pub.title == "Alerte rouge"
        assert pub.body == "Premier paragraphe.\nSecond paragraphe\tici. Troisi\u00e8me."
        assert pub.summary == "R\u00e9sum\u00e9" and pub.tags == ["cyber"]
        revision = session.scalars(select(PublicationRevision)).one()
        assert not CONTROLS.search(revision.title + revision.body)
        inesia = session.scalars(select(Commitment).where(Commitment.slug == "inesia")).one()
        change = set_status(session, inesia, "in_progress", changed_by="alice\x1b[8m", note="vu\x1b[2J\x00")
        assert change is not None
    with session_scope(db_url) as session:
        stored = session.scalars(select(StatusChange)).one()
        assert (stored.changed_by, stored.note) == ("alice", "vu")


def test_search_and_filters(db_url: str) -> None:
    with session_scope(db_url) as session:
        for i, (title, body) in enumerate(
            [
                ("Lancement de l'INESIA", "L'institut évaluera les modèles."),
                ("Rançongiciel", "Conseils aux collectivités."),
            ]
        ):
            upsert_publication(
                session,
                PublicationInput(
                    url=f"https://cyber.gouv.fr/actualites/{i}/",
                    source="anssi",
                    title=title,
                    body=body,
                    published_at=datetime(2025, 3, 1 + i, tzinfo=UTC),
                ),
            )
    with session_scope(db_url) as session:
        found = list_publications(session, search="institut")
        assert [p["title"] for p in found] == ["Lancement de l'INESIA"]
        assert [p["title"] for p in list_publications(session, search="rançongiciel")] == ["Rançongiciel"]
        assert list_publications(session, search='"; DROP TABLE publications; --') == []
        assert len(list_publications(session, source="anssi")) == 2
        assert len(list_publications(session, since=datetime(2025, 3, 2, tzinfo=UTC))) == 1


def test_status_changes_are_validated(db_url: str) -> None:
    with session_scope(db_url) as session:
        roost = session.scalar(select(Commitment).where(Commitment.slug == "roost"))
        with pytest.raises(StatusError, match="unknown status 'done'"):
            set_status(session, roost, "done", changed_by="me")
        assert set_status(session, roost, "achieved", changed_by="me", note="tools released") is not None
        assert set_status(session, roost, "achieved", changed_by="me") is None
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count(StatusChange.id))) == 1
        assert [c["status"] for c in list_commitments(session, status="achieved")] == ["achieved"]
        assert {c["slug"] for c in list_commitments(session, theme="investment")} >= {
            "france-109bn-investment",
            "eu-investai",
        }


def test_import_keeps_a_plain_day_as_a_day(db_url: str, tmp_path: Path) -> None:
    """ "2026-02-12" is 12 February in Paris, stored as its start (23:00Z the day before) and known as a day."""
    path = tmp_path / "pubs.jsonl"
    lines = [
        {"url": "https://x.org/a", "source": "manual", "title": "A", "body": "b", "published_at": "2026-02-12"},
        {"url": "https://x.org/b", "source": "manual", "title": "B", "body": "b",
         "published_at": "2026-02-12T15:34:00+01:00"},
        {"url": "https://x.org/c", "source": "manual", "title": "C", "body": "b", "published_at": None},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    with session_scope(db_url) as session:
        report = import_jsonl(session, path)
    assert report.errors == [] and report.new == 3
    with session_scope(db_url) as session:
        rows = {p.url[-1]: p for p in session.scalars(select(Publication))}
        assert rows["a"].published_at == datetime(2026, 2, 11, 23, 0, tzinfo=UTC)
        assert rows["a"].date_precision == "day"
        assert local_day(rows["a"].published_at).isoformat() == "2026-02-12"
        assert rows["b"].date_precision == "time"
        assert rows["c"].published_at is None and rows["c"].date_precision is None
