"""`status`: one screen on the tracker's state; `status set`: a reviewer's decision."""

from __future__ import annotations

from collections import Counter

import typer

from scheduler.service import describe_jobs
from storage.db import session_scope
from storage.evidence import count_open_proposals, silent_commitments
from storage.queries import list_commitments, list_sources
from storage.subscribers import list_subscribers
from summitwatch.cli.output import Format, console, emit
from summitwatch.cli.query import status_set
from summitwatch.config import get_settings

status_app = typer.Typer(help="The tracker at a glance; `status set` records a status by hand.")
status_app.command("set")(status_set)


@status_app.callback(invoke_without_command=True)
def status_overview(ctx: typer.Context) -> None:
    """Print sources' health, last crawls, commitments, pending reviews, next digest, subscribers."""
    if ctx.invoked_subcommand is not None:
        return
    with session_scope() as session:
        sources = list_sources(session)
        commitments = list_commitments(session)
        proposals = count_open_proposals(session)
        weeks = get_settings().tracker.silent_after_weeks
        silent = [s["commitment"]["slug"] for s in silent_commitments(session, weeks)]
        subscribers = Counter(s.state for s in list_subscribers(session))
    digest = next((j for j in describe_jobs() if j.id == "digest:weekly"), None)
    emit(
        sources,
        Format.table,
        [
            ("source", "slug"),
            ("health", "health"),
            ("publications", "publications"),
            ("last crawl", lambda s: (s["last_run"] or {}).get("started_at")),
        ],
        title="Sources",
    )
    counts = Counter(c["status"] for c in commitments)
    console.print("Commitments: " + ", ".join(f"{status} {n}" for status, n in sorted(counts.items())))
    console.print(f"Pending reviews: {proposals} proposed status changes (`summitwatch review`)")
    shown = ", ".join(silent[:8]) + (f" and {len(silent) - 8} more" if len(silent) > 8 else "")
    console.print(
        f"Silent for {weeks}+ weeks: {len(silent)}" + (f" ({shown})" if silent else ""), highlight=False
    )
    when = digest.next_run.isoformat(timespec="minutes") if digest and digest.next_run else "not scheduled"
    console.print(
        f"Next digest: {when}" + ("" if digest is None or digest.stored else " (once a scheduler runs)")
    )
    states = ("pending", "active", "unsubscribed")
    console.print("Subscribers: " + ", ".join(f"{state} {subscribers.get(state, 0)}" for state in states))
