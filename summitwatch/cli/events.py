"""`summitwatch events`: one item per happening, with the publications that reported it."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from storage.clean_text import clean_line
from storage.db import session_scope
from storage.events import event_row, get_event, list_events
from storage.models import utcnow
from storage.queries import get_commitment
from summitwatch.cli.output import Format, console, emit, fail, parse_since, row_id
from tracker.event_grouping import regroup

events_app = typer.Typer(
    help="Events: the same happening reported by several publications.", no_args_is_help=True
)


def _urls(row: dict[str, Any]) -> str:
    return " ".join(p["url"] for p in row["publications"])


@events_app.command("list")
def list_command(
    commitment: str | None = typer.Option(None, "--commitment", "-c", help="Only events about this slug."),
    since: str | None = typer.Option(None, "--since", help="First published on or after (YYYY-MM-DD)."),
    several: bool = typer.Option(False, "--several", help="Only events reported more than once."),
    limit: int = typer.Option(200, "--limit", min=1, max=100_000),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Events newest first: title, commitments, first publication, and the reports' URLs."""
    with session_scope() as session:
        if commitment is not None:
            get_commitment(session, commitment)  # an unknown slug is an error, not an empty list
        rows = [r.as_dict() for r in list_events(session, commitment, parse_since(since), limit)]
    if several:
        rows = [r for r in rows if len(r["publications"]) > 1]
    if fmt is Format.csv:
        emit(
            rows,
            fmt,
            [
                ("id", "id"),
                ("title", "title"),
                ("commitments", "commitments"),
                ("first_published_at", "first_published_at"),
                ("publications", _urls),
            ],
        )
        return
    emit(
        rows,
        fmt,
        [
            ("id", "id"),
            ("first", lambda r: (r["first_published_at"] or "undated")[:10]),
            ("title", "title"),
            ("commitments", "commitments"),
            ("n", lambda r: len(r["publications"])),
        ],
        title="events",
    )


@events_app.command("explain")
def explain_command(event_id: int = row_id("Event id (from `events list`).")) -> None:
    """Each report of an event, the links that made it join, and what weighed most in them."""
    with session_scope() as session:
        event = get_event(session, event_id)
        row = event_row(session, event_id)
        reasons = {m.publication_id: (m.score, m.reasons) for m in event.members}
        ids = [m.publication_id for m in event.members]
    state = "confirmed by a reviewer" if row.confirmed else "grouped by the tracker"
    console.print(f"[bold]event {row.id}[/]: {escape(row.title)} ({state})", highlight=False)
    console.print(f"commitments: {', '.join(row.commitments) or 'none'}", highlight=False)
    for n, (publication, pid) in enumerate(zip(row.publications, ids, strict=True)):
        when = (publication["published_at"] or "undated")[:10]
        console.print(
            f"{n + 1}. {escape(publication['title'])} — {publication['source']}, "
            f"{publication['language'] or '?'}, {when}",
            highlight=False,
        )
        console.print(f"   {escape(publication['url'])}", highlight=False)
        score, parts = reasons[pid]
        shown = ", ".join(f"{escape(k)} {v}" for k, v in parts.items())
        if n == 0:
            console.print("   opened the event" + (f": {shown}" if shown else ""), highlight=False)
        else:
            console.print(f"   joined at {score if score is not None else '?'}: {shown}", highlight=False)


@events_app.command("confirm")
def confirm_command(
    event_id: int = row_id("Event id."),
    by: str = typer.Option(
        None, "--by", envvar="SUMMITWATCH_REVIEWER", help="Reviewer name recorded (or SUMMITWATCH_REVIEWER)."
    ),
) -> None:
    """Keep an event's reports together from now on: regrouping never splits it."""
    if not by:
        raise fail("say who confirms: --by NAME or SUMMITWATCH_REVIEWER")
    with session_scope() as session:
        event = get_event(session, event_id)
        event.confirmed = True
        event.confirmed_by = clean_line(by)
        event.updated_at = utcnow()
        n = len(event.members)
    console.print(f"event {event_id} confirmed ({n} publications) by {by}", highlight=False)


@events_app.command("regroup")
def regroup_command() -> None:
    """Group the linked publications into events again (`match` does it after each run)."""
    report = regroup()
    console.print(f"events: {report.line()}", highlight=False)
