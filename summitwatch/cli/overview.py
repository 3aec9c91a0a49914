"""`status`: one screen on the service's state; `status set`: a reviewer's decision.

The screen: each source's health and last crawl, the commitments by status, pending
reviews (unreviewed evidence proposing a status), silent commitments, whether a
scheduler runs, the last and the next digest, subscribers by state.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer

from digests.periods import PARIS, last_complete_week, week_of
from scheduler.jobs import DIGEST_JOB
from scheduler.service import describe_jobs, leader
from storage.db import session_scope
from storage.deliveries import digest_summaries, stuck_deliveries
from storage.digest_data import silent_commitments
from storage.evidence import count_open_proposals
from storage.models import utcnow
from storage.queries import list_commitments, list_sources
from storage.subscribers import list_subscribers
from summitwatch.cli.output import Format, console, emit, words
from summitwatch.cli.query import status_set
from summitwatch.config import get_settings

status_app = typer.Typer(help="The service at a glance; `status set` records a status by hand.")
status_app.command("set")(status_set)

SUBSCRIBER_STATES = ("pending", "active", "unsubscribed")
SILENT_SHOWN = 8


def _local(value: str | datetime | None) -> str:
    """A stored UTC time in the schedule's timezone, to the minute."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    tz = ZoneInfo(get_settings().schedule.timezone)
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


def _last_crawl(source: dict[str, Any]) -> str:
    run = source["last_run"]
    if run is None:
        return "never" if source["enabled"] else "not crawled (disabled)"
    text = f"{_local(run['started_at'])}: {run['status']}, {run['new']} new, {run['updated']} updated"
    if run["errors"]:
        text += ", " + words("errors_n", n=run["errors"])
    return text


def gather() -> dict[str, Any]:
    """Everything the screen shows, as plain data (also what `--format json` prints)."""
    settings = get_settings()
    weeks = settings.tracker.silent_after_weeks
    with session_scope() as session:
        sources = list_sources(session)
        commitments = list_commitments(session)
        proposals = count_open_proposals(session)
        silent = [s["commitment"]["slug"] for s in silent_commitments(session, utcnow(), weeks)]
        subscribers = Counter(s.state for s in list_subscribers(session))
        digests = digest_summaries(session)
        stuck = stuck_deliveries(session)
    digest_job = next((j for j in describe_jobs(settings) if j.id == DIGEST_JOB), None)
    next_run = digest_job.next_run if digest_job is not None else None
    period = settings.schedule.digest_period
    if next_run is not None and period in ("", "last"):
        period = last_complete_week(next_run).key
    elif next_run is not None and period == "current":
        period = week_of(next_run.astimezone(PARIS).date()).key
    current = leader()
    return {
        "sources": sources,
        "commitments_by_status": dict(sorted(Counter(c["status"] for c in commitments).items())),
        "pending_reviews": proposals,
        "silent_after_weeks": weeks,
        "silent": silent,
        "scheduler": (
            {"holder": current.holder, "since": current.acquired_at.isoformat()} if current else None
        ),
        "last_digest": digests[0] if digests else None,
        "deliveries_to_settle": len(stuck),
        "next_digest": {
            "at": next_run.isoformat() if next_run else None,
            "period": period if next_run else None,
            "planned": bool(digest_job and not digest_job.stored),
        },
        "subscribers": {state: subscribers.get(state, 0) for state in SUBSCRIBER_STATES},
    }


@status_app.callback(invoke_without_command=True)
def status_overview(
    ctx: typer.Context,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, or json for scripts."),
) -> None:
    """One screen: sources' health and last crawls, pending reviews, digests, subscribers."""
    if ctx.invoked_subcommand is not None:
        return
    state = gather()
    if fmt is Format.json:
        sys.stdout.write(json.dumps(state, ensure_ascii=False, indent=2) + "\n")
        return
    emit(
        state["sources"],
        Format.table,
        [
            ("source", "slug"),
            ("health", lambda s: s["health"] if s["enabled"] or s["last_run"] else "—"),
            ("publications", "publications"),
            ("last crawl", _last_crawl),
        ],
        title="Sources",
    )
    line = console.print
    for source in state["sources"]:
        reasons = source["health_reasons"]
        if reasons and (source["enabled"] or source["last_run"]):
            more = (
                f" (+{len(reasons) - 1} more: summitwatch sources show {source['slug']})"
                if len(reasons) > 1
                else ""
            )
            line(
                f"  {source['slug']} {source['health']}: {reasons[0][:160]}{more}",
                highlight=False,
                markup=False,
            )
    line(
        "Commitments: "
        + ", ".join(words.status_count(s, n) for s, n in state["commitments_by_status"].items()),
        highlight=False,
    )
    line(
        f"Pending reviews: {words('proposed_changes_n', n=state['pending_reviews'])} (`summitwatch review`)",
        highlight=False,
    )
    silent = state["silent"]
    shown = ", ".join(silent[:SILENT_SHOWN])
    if len(silent) > SILENT_SHOWN:
        shown += f" and {len(silent) - SILENT_SHOWN} more"
    line(
        f"Silent for {state['silent_after_weeks']}+ weeks: {len(silent)}" + (f" ({shown})" if silent else ""),
        highlight=False,
    )
    scheduler = state["scheduler"]
    line(
        f"Scheduler: {scheduler['holder']}, leading since {_local(scheduler['since'])}"
        if scheduler
        else "Scheduler: not running (summitwatch scheduler start, or summitwatch run)",
        highlight=False,
    )
    last = state["last_digest"]
    if last is None:
        line("Last digest: none sent yet", highlight=False)
    else:
        text = f"Last digest: {last['period']}, {last['sent']} sent"
        if last["pending"] or last["failed_retryable"]:
            text += f", {last['pending'] + last['failed_retryable']} queued"
        if last["failed_permanent"]:
            text += f", {last['failed_permanent']} refused"
        line(text, highlight=False)
    if state["deliveries_to_settle"]:
        line(
            f"  {state['deliveries_to_settle']} deliveries left 'sending' for a person to settle "
            "(summitwatch digest list, then digest settle)",
            highlight=False,
        )
    upcoming = state["next_digest"]
    if upcoming["at"] is None:
        line("Next digest: not scheduled", highlight=False)
    else:
        line(
            f"Next digest: {_local(upcoming['at'])}, week {upcoming['period']}, "
            f"to {state['subscribers']['active']} active subscribers"
            + (" (once a scheduler runs)" if upcoming["planned"] else ""),
            highlight=False,
        )
    line(
        "Subscribers: " + ", ".join(f"{s} {n}" for s, n in state["subscribers"].items()),
        highlight=False,
    )
