"""The query CLI as a user runs it: db upgrade, baseline load, listings, import, status set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Publication
from tests.test_storage import required_slugs

SEED_LINES = [
    {
        "url": "https://www.securite-ia.fr/publications/le-sommet-de-linaction-pour-la-securite-de-lia",
        "source": "cesia",
        "title": "Le sommet de l'inaction pour la sécurité de l'IA",
        "published_at": "2025-02-12T00:00:00+01:00",
        "body": "La seule annonce significative concerne la création de l'INESIA.",
        "language": "fr",
    },
    {
        "url": "https://cyber.gouv.fr/actualites/sommet-ia/",
        "source": "anssi",
        "title": "Sommet pour l'action sur l'IA : <b>retour</b>",
        "published_at": "2025-02-17T15:34:00+01:00",
        "body": "<p>L'ANSSI a organisé un exercice de crise cyber.</p>",
    },
]


@pytest.fixture
def migrated(cli, db: str):
    """A database set up the way README says, through the CLI."""
    return cli


def test_newcomer_flow_lists_every_slug_and_reload_changes_nothing(
    cli, env, backend: str, empty_db_url: str
) -> None:
    extra = {"SUMMITWATCH_DATABASE_URL": empty_db_url}
    upgraded = cli("db", "upgrade", extra_env=extra)
    assert upgraded.code == 0, upgraded.output
    assert "upgraded" in upgraded.stdout
    first = cli("baseline", "load", extra_env=extra)
    assert first.code == 0, first.output
    listed = cli("commitments", "list", "--format", "json", extra_env=extra)
    assert listed.code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert sorted(r["slug"] for r in rows) == sorted(required_slugs())
    assert {"slug", "title", "theme", "status", "made_on", "deadline", "evidence_count"} <= set(rows[0])
    assert all(r["status"] == "not_rated" for r in rows)
    second = cli("baseline", "load", extra_env=extra)
    assert second.code == 0
    assert "0 changes" in second.stdout


def test_table_and_csv_output(migrated) -> None:
    table = migrated("commitments", "list", "--theme", "investment")
    assert table.code == 0, table.output
    assert "eu-investai" in table.stdout and "inesia" not in table.stdout
    csv_out = migrated("commitments", "list", "--format", "csv", "--status", "not_rated")
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0].startswith("slug,title,theme,status")
    assert len(lines) == len(required_slugs()) + 1


def test_wrong_arguments_get_clear_errors(migrated) -> None:
    bad_theme = migrated("commitments", "list", "--theme", "weather")
    assert bad_theme.code == 2
    assert "'weather' is not a theme" in bad_theme.stderr
    missing = migrated("commitments", "show", "no-such-thing")
    assert missing.code == 2
    assert "no commitment with slug 'no-such-thing'" in missing.stderr
    bad_date = migrated("publications", "list", "--since", "17/02/2025")
    assert bad_date.code == 2
    assert "not a date" in bad_date.stderr


def test_import_reports_bad_lines_and_stores_good_ones(migrated, tmp_path: Path) -> None:
    good = [json.dumps(line, ensure_ascii=False) for line in SEED_LINES]
    bad = [
        "{not json",
        json.dumps(
            {"url": "https://x.org/a", "source": "nowhere", "title": "t", "published_at": None, "body": "b"}
        ),
        json.dumps(
            {"url": "ftp://x.org/a", "source": "anssi", "title": "t", "published_at": None, "body": "b"}
        ),
        json.dumps({**SEED_LINES[0], "published_at": "2025-02-12T10:00:00"}),
    ]
    path = tmp_path / "pubs.jsonl"
    path.write_text("\n".join([good[0], *bad, good[1]]) + "\n", encoding="utf-8")
    result = migrated("publications", "import", str(path))
    assert result.code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "line 2: not valid JSON" in out
    assert "line 3: source: unknown source 'nowhere'" in out
    assert "line 4: url" in out
    assert "line 5: published_at" in out
    assert "2 new" in out and "4 skipped" in out
    listed = json.loads(migrated("publications", "list", "--format", "json").stdout)
    assert {p["url"] for p in listed} == {line["url"] for line in SEED_LINES}
    anssi = next(p for p in listed if p["source"] == "anssi")
    assert anssi["title"] == "Sommet pour l'action sur l'IA : retour"  # HTML stripped
    assert anssi["published_at"] == "2025-02-17T15:34:00+01:00"  # as the page gave it, in Paris
    found = json.loads(migrated("publications", "list", "--search", "INESIA", "--format", "json").stdout)
    assert [p["source"] for p in found] == ["cesia"]


def test_import_refuses_nul_per_line_and_strips_control_characters(migrated, db: str, tmp_path: Path) -> None:
    base = {"source": "anssi", "published_at": "2025-02-12", "body": "Le corps.", "title": "Titre"}
    lines = [
        {
            **base,
            "url": "https://x.org/red",
            "title": "\x1b[31mRouge\x1b[0m : l'INESIA\x07",
            "body": "Un corps\x1b[2J avec\r\nune cloche\x07.",
            "tags": ["ok\x1b[1m"],
        },
        {**base, "url": "https://x.org/1", "title": "a\u0000b"},
        {**base, "url": "https://x.org/2", "body": "\u0000"},
        {**base, "url": "https://x.org/3", "tags": ["x\u0000"]},
        {**base, "url": "https://x.org/\u001b[31m"},
        {**base, "url": "https://x.org/4", "published_at": "0001-01-01T00:00:00+14:00"},
        {**base, "url": "https://x.org/good"},
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    result = migrated("publications", "import", str(path))
    assert result.code == 0, result.output
    out = " ".join(result.stdout.split())
    for wanted in (
        "line 2: title: contains a NUL character",
        "line 3: body: contains a NUL character",
        "line 4: tags: contains a NUL character",
        "line 5: url",
        "line 6: published_at",
        "2 new",
        "5 skipped",
    ):
        assert wanted in out, out
    assert "\x1b" not in result.output
    listed = json.loads(migrated("publications", "list", "--format", "json").stdout)
    assert sorted(p["url"] for p in listed) == ["https://x.org/good", "https://x.org/red"]
    red = next(p for p in listed if p["url"] == "https://x.org/red")
    assert red["title"] == "Rouge : l'INESIA" and red["tags"] == ["ok"]
    table = migrated("publications", "list")
    assert "Rouge" in table.stdout and "\x1b" not in table.stdout and "\x07" not in table.stdout
    with session_scope(db) as session:
        body = session.scalar(select(Publication.body).where(Publication.url == "https://x.org/red"))
    assert body == "Un corps avec\nune cloche."


def test_malformed_jsonl_changes_nothing(migrated, tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text("this is not json\n[1, 2]\n", encoding="utf-8")
    result = migrated("publications", "import", str(path))
    assert result.code == 1
    assert "line 1: not valid JSON" in result.stdout
    assert "line 2: expected a JSON object" in result.stdout
    assert json.loads(migrated("publications", "list", "--format", "json").stdout) == []


def test_status_set_records_history_with_evidence(migrated, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(SEED_LINES[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert migrated("publications", "import", str(path)).code == 0
    assert migrated("match").code == 0  # only evidence linked to the commitment can move it
    done = migrated(
        "status",
        "set",
        "inesia",
        "in_progress",
        "--evidence",
        SEED_LINES[0]["url"],
        "--note",
        "institute created",
        "--by",
        "alice",
    )
    assert done.code == 0, done.output
    assert "inesia: not_rated -> in_progress (by alice)" in done.stdout
    shown = json.loads(migrated("commitments", "show", "inesia", "--format", "json").stdout)[0]
    assert shown["status"] == "in_progress"
    assert shown["history"][0]["evidence_url"] == SEED_LINES[0]["url"]
    assert shown["history"][0]["note"] == "institute created"
    evidence = json.loads(migrated("evidence", "list", "--commitment", "inesia", "--format", "json").stdout)
    assert [e["publication"]["url"] for e in evidence] == [SEED_LINES[0]["url"]]
    again = migrated("status", "set", "inesia", "in_progress", "--by", "alice")
    assert again.code == 1 and "already has status in_progress" in again.stderr
    bad = migrated("status", "set", "inesia", "finished")
    assert bad.code == 2 and "'finished' is not a status" in bad.stderr


def test_config_show_masks_secrets(cli, env) -> None:
    result = cli(
        "config",
        "show",
        "--json",
        extra_env={
            "SUMMITWATCH_SMTP_PASSWORD": "hunter2",
            "SUMMITWATCH_DATABASE_URL": "postgresql+psycopg://u:pw@db/x",
        },
    )
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert "hunter2" not in result.stdout and "pw@" not in result.stdout
    assert data["smtp_password"] == "***"
    assert data["database_url"] == "postgresql+psycopg://u:***@db/x"
    assert data["tracker"]["silent_after_weeks"] == 12


def test_unreachable_database_is_one_clear_line(cli, env) -> None:
    result = cli(
        "commitments",
        "list",
        extra_env={"SUMMITWATCH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
    )
    assert result.code == 2
    assert result.stderr.startswith("error: database:")
    assert "Traceback" not in result.stderr
