"""`commitments cite`, `evidence cite` and `commitments history`: quoting the tracker from a terminal."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum

import typer

from storage.db import session_scope
from storage.models import THEMES
from storage.status_history import commitment_citation, evidence_citation, status_history
from summitwatch.cli.output import PARIS, Format, emit, parse_since, row_id
from summitwatch.config import get_settings
from web.citations import cite
from web.i18n import Translator


class CitationFormat(StrEnum):
    text = "text"
    bibtex = "bibtex"
    csl_json = "csl-json"


class Language(StrEnum):
    fr = "fr"
    en = "en"


CITE_FORMAT = typer.Option(CitationFormat.text, "--format", "-f", help="text, bibtex or csl-json.")
LANG = typer.Option(Language.en, "--lang", help="Language of the words.")


def _today() -> datetime:
    return datetime.now(UTC).astimezone(PARIS)


def commitments_cite(
    slug: str = typer.Argument(..., help="Commitment slug."),
    fmt: CitationFormat = CITE_FORMAT,
    lang: Language = LANG,
) -> None:
    """A citation of where a commitment stands: status, since when, as of today, source text, URL."""
    with session_scope() as session:
        facts = commitment_citation(session, slug)
    url = f"{get_settings().base_url}/commitments/{slug}"
    text = cite(facts, fmt.value, url, _today().date(), Translator(lang.value))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def evidence_cite(
    evidence_id: int = row_id("Evidence id (as in `evidence list --format json`)."),
    fmt: CitationFormat = CITE_FORMAT,
    lang: Language = LANG,
) -> None:
    """A citation of a piece of evidence: the publication, and what summitwatch reads in it."""
    with session_scope() as session:
        facts = evidence_citation(session, evidence_id)
    url = f"{get_settings().base_url}/commitments/{facts['commitment']['slug']}"
    text = cite(facts, fmt.value, url, _today().date(), Translator(lang.value))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def commitments_history(
    commitment: str | None = typer.Option(None, "--commitment", help="Commitment slug."),
    theme: str | None = typer.Option(None, "--theme", help=f"One of: {', '.join(THEMES)}."),
    since: str | None = typer.Option(None, "--since", help="Changes on or after (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Changes before (YYYY-MM-DD)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """The status history, oldest first: commitment, old -> new, when, by whom, evidence."""
    if theme is not None and theme not in THEMES:
        raise typer.BadParameter(f"{theme!r}: choose from {', '.join(THEMES)}", param_hint="'--theme'")
    with session_scope() as session:
        rows = status_history(session, commitment, theme, parse_since(since), parse_since(until, "--until"))
    emit(
        rows,
        fmt,
        [
            ("commitment", "commitment"),
            ("from", "old_status"),
            ("to", "new_status"),
            ("changed_at", "changed_at"),
            ("by", "changed_by"),
            ("note", "note"),
            ("evidence_url", "evidence_url"),
        ]
        if fmt is not Format.table
        else [
            ("commitment", "commitment"),
            ("from → to", lambda r: f"{r['old_status']} → {r['new_status']}"),
            ("when", lambda r: (r["changed_at"] or "")[:10]),
            ("by", "changed_by"),
        ],
        title="Status history",
    )
