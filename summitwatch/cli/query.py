"""Querying the tracker: commitments and evidence; setting a status by hand."""

from __future__ import annotations

import getpass

import typer
from rich.panel import Panel

from storage.db import session_scope
from storage.models import STATUSES, THEMES
from storage.queries import commitment_detail, list_commitments, list_evidence
from storage.status import set_status_by_hand
from summitwatch.cli.lazy import Lazy, lazy_group
from summitwatch.cli.output import Format, console, emit, fail, parse_since

commitments_app = typer.Typer(help="The summit commitments and where each stands.", no_args_is_help=True)
# `evidence explain` lives with the tracker commands; imported only when it runs.
evidence_app = typer.Typer(
    help="Links between publications and commitments.",
    no_args_is_help=True,
    cls=lazy_group(
        {
            "explain": Lazy(
                "summitwatch.cli.tracker:explain_command",
                "Why a publication is, or is not, linked to a commitment.",
            )
        }
    ),
)

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
    emit(
        detail["history"],
        Format.table,
        [
            ("when", "changed_at"),
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
            ("published", lambda r: r["publication"]["published_at"]),
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
            ("published", lambda r: r["publication"]["published_at"]),
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
    by: str = typer.Option(getpass.getuser, "--by", help="Reviewer name recorded with the change."),
) -> None:
    """Set a commitment's status by hand (a reviewer's decision)."""
    _choice(status, STATUSES, "status")
    with session_scope() as session:
        change = set_status_by_hand(session, slug, status, changed_by=by, note=note, evidence_url=evidence)
    if change is None:
        raise fail(f"{slug} already has status {status}; nothing recorded", code=1)
    console.print(f"{slug}: {change.old_status} -> {change.new_status} (by {change.changed_by})")
