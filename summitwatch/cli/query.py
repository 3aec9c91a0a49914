"""Querying the tracker: commitments and evidence; setting a status by hand."""

from __future__ import annotations

import typer
from rich.panel import Panel

from storage.db import session_scope
from storage.models import STATUSES, THEMES
from storage.queries import commitment_detail, list_commitments, list_evidence
from storage.status import set_status_by_hand
from summitwatch.cli.fit import Column, print_table
from summitwatch.cli.output import Format, console, emit, fail, parse_since
from summitwatch.cli.reviewer import BY_HELP, reviewer_name

commitments_app = typer.Typer(help="The summit commitments and where each stands.", no_args_is_help=True)
evidence_app = typer.Typer(help="Links between publications and commitments.", no_args_is_help=True)

FORMAT = typer.Option(Format.table, "--format", "-f", help="Output format.")


def _choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not a {name}; choose from: {', '.join(allowed)}")
    return value


@commitments_app.command("list")
def commitments_list(
    status: str | None = typer.Option(None, "--status", help=f"One of: {', '.join(STATUSES)}."),
    theme: str | None = typer.Option(None, "--theme", help=f"One of: {', '.join(THEMES)}."),
    actor: str | None = typer.Option(None, "--actor", help="Part of an actor's name."),
    fmt: Format = FORMAT,
) -> None:
    """List the commitments with their status and evidence count."""
    _choice(status, STATUSES, "status")
    _choice(theme, THEMES, "theme")
    with session_scope() as session:
        rows = list_commitments(session, status=status, theme=theme, actor=actor)
    if fmt is Format.table:
        print_table(
            console,
            rows,
            [
                Column("slug", lambda r: r["slug"]),
                Column("status", lambda r: r["status"]),
                Column("deadline", lambda r: r["deadline"], priority=1),
                Column("evidence", lambda r: r["evidence_count"], priority=2, justify="right"),
                Column("title", lambda r: r["title"]["en"], priority=3, wraps=True, least=24),
                Column("last evidence", lambda r: (r["last_evidence_at"] or "")[:10], priority=4),
                Column("theme", lambda r: r["theme"], priority=5),
                Column("made on", lambda r: r["made_on"], priority=6),
            ],
            title="Commitments",
            hidden_hint="all of it: --format json, or commitments show SLUG",
        )
        return
    emit(
        rows,
        fmt,
        [
            ("slug", "slug"),
            ("title", lambda r: r["title"]["en"]),
            ("theme", "theme"),
            ("status", "status"),
            ("made_on", "made_on"),
            ("deadline", "deadline"),
            ("evidence", "evidence_count"),
            ("last_evidence", "last_evidence_at"),
        ],
        title="Commitments",
    )


@commitments_app.command("show")
def commitments_show(slug: str, fmt: Format = FORMAT) -> None:
    """One commitment: details, status history and evidence."""
    with session_scope() as session:
        detail = commitment_detail(session, slug)
    if fmt is not Format.table:
        emit(
            [detail],
            fmt,
            [(k, k) for k in ("slug", "status", "theme", "made_on", "deadline", "evidence_count")],
        )
        return
    console.print(
        Panel.fit(
            f"[bold]{detail['title']['en']}[/]\n{detail['title']['fr']}\n\n{detail['description']['en']}\n\n"
            f"theme: {detail['theme']}   status: [bold]{detail['status']}[/]   made on: {detail['made_on']}"
            f"   deadline: {detail['deadline'] or '-'}\nactors: {', '.join(detail['actors'])}\n"
            f"source: {detail['source_url']}",
            title=detail["slug"],
        )
    )
    kinds = (("progress", "counts as progress"), ("done", "counts as done"), ("failure", "counts as failure"))
    for kind, label in kinds:
        lines = detail["criteria"].get(kind) or {}
        for en, fr in zip(lines.get("en", []), lines.get("fr", []), strict=False):
            console.print(f"{label}: {en} / {fr}", highlight=False)
    emit(
        detail["history"],
        Format.table,
        [
            ("holds from", "changed_at"),
            ("from", "old_status"),
            ("to", "new_status"),
            ("by", "changed_by"),
            ("note", "note"),
        ],
        title="Status history",
    )
    emit(
        detail["evidence"],
        Format.table,
        [
            ("published", lambda r: r["publication"]["published_at"] or "undated"),
            ("source", lambda r: r["publication"]["source"]),
            ("title", lambda r: r["publication"]["title"]),
            ("signal", "signal"),
            ("score", "score"),
            ("excerpt", "excerpt"),
        ],
        title="Evidence",
    )


@evidence_app.command("list")
def evidence_list(
    commitment: str | None = typer.Option(None, "--commitment", help="Commitment slug."),
    since: str | None = typer.Option(None, "--since", help="Publications on or after (YYYY-MM-DD)."),
    signal: str | None = typer.Option(None, "--signal", help="mention, progress, achieved or setback."),
    limit: int | None = typer.Option(None, "--limit", min=1, max=100_000),
    fmt: Format = FORMAT,
) -> None:
    """List evidence, newest publication first."""
    _choice(signal, ("mention", "progress", "achieved", "setback"), "signal")
    with session_scope() as session:
        rows = list_evidence(
            session, commitment=commitment, since=parse_since(since), signal=signal, limit=limit
        )
    emit(
        rows,
        fmt,
        [
            ("commitment", "commitment"),
            ("published", lambda r: r["publication"]["published_at"] or "undated"),
            ("source", lambda r: r["publication"]["source"]),
            ("title", lambda r: r["publication"]["title"]),
            ("signal", "signal"),
            ("score", "score"),
            ("url", lambda r: r["publication"]["url"]),
        ],
        title="Evidence",
    )


def status_set(
    slug: str = typer.Argument(..., help="Commitment slug."),
    status: str = typer.Argument(..., help=f"New status: {', '.join(STATUSES)}."),
    evidence: str | None = typer.Option(None, "--evidence", help="URL of the publication that supports it."),
    note: str | None = typer.Option(None, "--note", help="Why."),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    since: str | None = typer.Option(
        None, "--since", help="The day the status holds from (YYYY-MM-DD; default: the evidence's date)."
    ),
) -> None:
    """Set a commitment's status by hand (a reviewer's decision), on evidence already linked to it."""
    _choice(status, STATUSES, "status")
    holds_from = parse_since(since)
    name = reviewer_name(by)
    with session_scope() as session:
        change = set_status_by_hand(
            session, slug, status, changed_by=name, note=note, evidence_url=evidence, holds_from=holds_from
        )
    if change is None:
        raise fail(f"{slug} already has status {status}; nothing recorded", code=1)
    console.print(f"{slug}: {change.old_status} -> {change.new_status} (by {change.changed_by})")
