"""`summitwatch alerts send|test|list|settle`: the alerts between two digests, by hand.

`check_alerts()` is what every command that sends alerts (and `run`, `scheduler start`)
calls first: a malformed URL stops it with one `error:` line before any work is done.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from digests.alert_channels import Channel
from digests.alerts import AlertConfigError, configured_channels, register_channels, send_alerts, send_test
from storage import alerts as ledger
from storage.db import session_scope
from summitwatch.cli.output import Format, console, emit, fail, row_id
from summitwatch.config import get_settings

alerts_app = typer.Typer(
    help="Alerts between two digests (setbacks, status changes, failing sources) through Apprise URLs.",
    no_args_is_help=True,
)


def check_alerts(register: bool = False) -> list[Channel]:
    """The configured channels, or one `error:` line and exit 2 for a malformed URL.

    `register` records them in the database at once, so that what the command is about
    to do (a match) reaches a channel added just now.
    """
    try:
        channels = configured_channels()
    except AlertConfigError as exc:
        raise fail(str(exc)) from None
    if register:
        register_channels(channels)
    return channels


def send_after(what: str, channels: list[Channel]) -> None:
    """Send what `what` (a match, a review decision) made; never fails the command for a channel."""
    if not channels:
        return
    try:
        report = send_alerts(channels=channels)
    except Exception as exc:  # the ledger keeps what is queued; `alerts send` or the scheduler retries
        console.print(f"alerts after {what} failed: {type(exc).__name__}: {exc}", highlight=False)
        return
    console.print(report.line(), highlight=False)
    for problem in report.problems:
        console.print(f"  {escape(problem)}", highlight=False)


def _need_urls() -> list[Channel]:
    channels = check_alerts()
    if not channels:
        raise fail("no alert channel configured: set alerts.urls (SUMMITWATCH_ALERTS__URLS='[\"json://…\"]')")
    return channels


@alerts_app.command("send")
def alerts_send() -> None:
    """Queue new events and send what is due now (what the scheduler does after each match)."""
    report = send_alerts(channels=_need_urls())
    console.print(report.line(), highlight=False)
    for problem in report.problems:
        console.print(f"  {escape(problem)}", highlight=False)
    if report.problems:
        raise typer.Exit(1)


@alerts_app.command("test")
def alerts_test() -> None:
    """Send one test message to each configured channel (not recorded in the ledger)."""
    _need_urls()
    failed = 0
    for channel, result in send_test():
        if result.ok:
            console.print(f"sent: {escape(channel.label)} ({channel.service})", highlight=False)
        else:
            failed += 1
            maybe = " (the request went out: it may have arrived)" if result.maybe_delivered else ""
            console.print(
                f"failed: {escape(channel.label)} ({channel.service}){maybe}: {escape(result.error)}",
                highlight=False,
            )
    if failed:
        raise typer.Exit(1)


@alerts_app.command("list")
def alerts_list(
    state: str | None = typer.Option(
        None, "--state", help="Only this state: pending, sending, sent, failed, unconfirmed, abandoned."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """The alert ledger, newest event first: what went where, what waits, what a person must settle."""
    try:
        with session_scope() as session:
            rows = ledger.list_alerts(session, state, limit)
            counts = ledger.count_by_state(session)
    except ValueError as exc:
        raise fail(str(exc)) from None
    emit(
        rows,
        fmt,
        [
            ("id", "id"),
            ("kind", "kind"),
            ("state", "state"),
            ("tries", "attempts"),
            ("event (UTC)", lambda r: r["event_at"][:16].replace("T", " ")),
            ("channel", "channel"),
            ("what", "summary"),
            ("next try / error", lambda r: r["next_attempt_at"] or r["last_error"] or ""),
        ],
        title="Alerts",
    )
    if fmt is Format.table:
        console.print(
            ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no alert yet", highlight=False
        )
        if counts["unconfirmed"] or counts["sending"]:
            console.print(
                "unconfirmed/sending: the request went out without an answer, so it may have arrived; "
                "check the channel, then `summitwatch alerts settle ID sent` or `… ID retry`",
                highlight=False,
            )


@alerts_app.command("settle")
def alerts_settle(
    alert_id: int = row_id("Alert id, as `summitwatch alerts list` shows it."),
    verdict: str = typer.Argument(..., help="'sent' (it arrived) or 'retry' (send it again)."),
) -> None:
    """Decide an alert that may or may not have arrived (unconfirmed, left sending, or abandoned)."""
    try:
        with session_scope() as session:
            state = ledger.settle(session, alert_id, verdict)
    except (LookupError, ValueError) as exc:
        raise fail(str(exc)) from None
    console.print(f"alert #{alert_id}: {state}", highlight=False)
    if state == "pending" and get_settings().alerts.urls:
        console.print(
            "it goes with the next pass (`summitwatch alerts send`, or the scheduler)", highlight=False
        )
