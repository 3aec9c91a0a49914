"""`digest preview|send|list|settle`: the weekly digest from the command line."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from digests.periods import PeriodError, resolve
from digests.send import preview_digest, send_digest
from storage import deliveries
from storage.db import session_scope
from summitwatch.cli.output import Format, console, emit, err_console, fail, parse_since, words

digest_app = typer.Typer(help="Weekly digests: preview, send, and the delivery ledger.", no_args_is_help=True)

PERIOD = typer.Option(
    None, "--period", help="ISO week (2025-W07) or YYYY-MM-DD..YYYY-MM-DD; default: last complete week."
)


@digest_app.command("preview")
def preview(
    out: Path = typer.Option(..., "--out", help="Write the HTML here."),
    period: str | None = PERIOD,
    since: str | None = typer.Option(None, "--since", help="Start (YYYY-MM-DD or ISO datetime)."),
    until: str | None = typer.Option(None, "--until", help="End, excluded (YYYY-MM-DD or ISO datetime)."),
    lang: str | None = typer.Option(None, "--lang", help="fr or en (default: the subscriber's, else fr)."),
    subscriber: str | None = typer.Option(
        None, "--subscriber", help="Render with this subscriber's filters."
    ),
    text: bool = typer.Option(False, "--text", help="Also write the text part, next to --out as .txt."),
) -> None:
    """Render one digest to a file, without sending anything."""
    if lang not in (None, "fr", "en"):
        raise fail(f"--lang must be fr or en, not {lang!r}")
    try:
        the_period = resolve(period, parse_since(since), parse_since(until, "--until"))
    except PeriodError as exc:
        raise fail(str(exc)) from None
    try:
        rendered, note = preview_digest(the_period, lang, subscriber)
    except LookupError as exc:
        raise fail(str(exc)) from None
    if rendered is None:
        console.print(note, highlight=False)
        raise typer.Exit(1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(rendered.html, encoding="utf-8")
    console.print(f"{note}: {out} ({rendered.html_bytes / 1024:.1f} KB HTML)", highlight=False)
    if text:
        text_file = out.with_suffix(".txt")
        text_file.write_text(rendered.text, encoding="utf-8")
        console.print(f"text part: {text_file}", highlight=False)


@digest_app.command("send")
def send(
    period: str | None = PERIOD,
    dry_run: bool = typer.Option(False, "--dry-run", help="Count who would get it; send and record nothing."),
) -> None:
    """Send the digest to every active subscriber who has not got it yet (safe to run again).

    Exit code 0: every row settled; 1: the run stopped (the server was away) or a row failed
    and will be retried; 3: nothing broke, but deferred recipients wait for their next attempt
    or messages were handed over with no answer (`digest unsettled`).
    """
    try:
        resolve(period)
    except PeriodError as exc:
        raise fail(str(exc)) from None
    with Progress(
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=dry_run,
    ) as bar:
        task = bar.add_task("send", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = send_digest(period, dry_run=dry_run, progress=progress)
    if dry_run:
        console.print(
            f"dry run {report.period}: {report.active} active subscribers, {report.to_send} would get a digest "
            f"({report.already_sent} already have it, {report.skipped} nothing to send after filters)",
            highlight=False,
        )
        return
    console.print(
        f"digest {report.period}: sent {report.sent}, deferred {report.deferred}, "
        f"unsettled {report.unsettled}, failed (will retry) {report.failed_retryable}, "
        f"failed (permanent) {report.failed_permanent}, still queued {report.remaining}, "
        f"skipped {report.skipped} ({report.seconds:.1f}s)",
        highlight=False,
    )
    if report.stopped:
        err_console.print(
            f"[yellow]stopped:[/] {report.stopped}; run `summitwatch digest send` again", highlight=False
        )
    for row in report.stuck:
        err_console.print(
            f"[yellow]unsettled:[/] {row['email']} left 'sending' since {row['claimed_at']} "
            f"(Message-ID {row['message_id']}): check the mail server log, then "
            f"`summitwatch digest settle --message-id {row['message_id']} sent|pending`",
            highlight=False,
            soft_wrap=True,
        )
    if report.waiting:
        err_console.print(
            f"[yellow]deferred:[/] {words('recipients_waiting_n', n=report.waiting)} for their next attempt "
            "(the `digest:retry` job, or `summitwatch digest send` again later)",
            highlight=False,
        )
    if report.stopped or report.failed_retryable:
        raise typer.Exit(1)
    if report.attention:
        raise typer.Exit(3)


@digest_app.command("unsettled")
def unsettled(
    period: str | None = typer.Option(None, "--period", help="Only this digest's period."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Messages handed over to the mail server with no answer: look each Message-ID up, then settle it."""
    with session_scope() as session:
        rows = deliveries.stuck_deliveries(session, period)
    emit(
        rows,
        fmt,
        [
            ("period", "period"),
            ("email", "email"),
            ("message_id", "message_id"),
            ("claimed_at", "claimed_at"),
            ("last_error", "last_error"),
        ],
        title="left 'sending'",
    )


@digest_app.command("list")
def list_digests(fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format.")) -> None:
    """Past digests and their delivery counts; rows left 'sending' are listed after."""
    with session_scope() as session:
        rows = deliveries.digest_summaries(session)
        stuck = deliveries.stuck_deliveries(session)
    emit(
        rows,
        fmt,
        [
            ("period", "period"),
            ("deliveries", "deliveries"),
            ("sent", "sent"),
            ("pending", "pending"),
            ("sending", "sending"),
            ("failed_retryable", "failed_retryable"),
            ("failed_permanent", "failed_permanent"),
            ("created", "created_at"),
        ],
        title="digests",
    )
    if stuck and fmt is Format.table:
        console.print(f"{len(stuck)} delivery(ies) left 'sending', to settle by hand:")
        for row in stuck:
            console.print(f"  {row['period']} {row['email']} Message-ID {row['message_id']}", highlight=False)


@digest_app.command("settle")
def settle(
    args: list[str] = typer.Argument(..., help="PERIOD EMAIL STATE, or STATE with --message-id."),
    message_id: str | None = typer.Option(
        None, "--message-id", help="The row's Message-ID (`digest unsettled`)."
    ),
) -> None:
    """Decide a delivery left 'sending': 'sent' (it arrived) or 'pending' (send it again)."""
    state = args[-1]
    if state not in ("sent", "pending"):
        raise fail("state must be 'sent' or 'pending'")
    if message_id is not None:
        if len(args) != 1:
            raise fail("with --message-id, give only the state: sent or pending")
        with session_scope() as session:
            done = deliveries.settle_message(session, message_id.strip(), state)
        if not done:
            raise fail(f"no delivery with Message-ID {message_id} is left 'sending'")
        console.print(f"{message_id}: {state}", highlight=False)
        return
    if len(args) != 3:
        raise fail("give PERIOD EMAIL STATE, or --message-id ID STATE")
    period, email = args[0], args[1]
    with session_scope() as session:
        done = deliveries.settle(session, period, email.strip().lower(), state)
    if not done:
        raise fail(f"no delivery of {period} to {email} is left 'sending'")
    console.print(f"{period} {email}: {state}", highlight=False)
