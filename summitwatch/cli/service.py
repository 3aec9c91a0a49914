"""Running summitwatch as a service: `scheduler start|jobs|run-now`, `run`, and `demo`.

`run` is the single-machine default (`make run`): schema, baseline, then the web app
in the main thread (uvicorn) and the scheduler beside it. The first Ctrl-C or
SIGTERM stops both cleanly (the job in flight finishes its current step); a second
one exits at once.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import typer

from digests.alerts import register_channels
from scheduler import jobs
from scheduler.service import SchedulerService, describe_jobs, leader
from storage import migrate
from storage.baseline import load
from storage.db import get_engine, session_scope
from storage.queries import list_commitments
from summitwatch.cli.alerts import check_alerts
from summitwatch.cli.output import Format, console, emit, fail
from summitwatch.cli.web import WORKERS
from summitwatch.config import get_settings, mask_url

log = logging.getLogger(__name__)

scheduler_app = typer.Typer(
    help="The job scheduler: crawls, matching, the weekly digest, housekeeping.", no_args_is_help=True
)


def say(text: str) -> None:
    """One line on stdout, flushed at once (supervisors and tests read it live)."""
    print(text, flush=True)


def _local(value: datetime | None) -> str:
    if value is None:
        return ""
    tz = ZoneInfo(get_settings().schedule.timezone)
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def _install_stop_handlers(stop: Callable[[], None]) -> None:
    """First SIGINT/SIGTERM: stop cleanly; the second: exit now."""
    received = 0

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        received += 1
        if received == 1:
            say(f"{signal.Signals(signum).name}: stopping after the current job step (again to force)")
            stop()
        else:
            say("forced exit")
            os._exit(130)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def prepare_database() -> None:
    """Migrate, then load the baseline when the database holds no commitment yet."""
    engine = get_engine()
    migrate.upgrade(engine)
    with session_scope() as session:
        if not list_commitments(session):
            report = load(session)
            say(f"baseline loaded: {len(report.created)} commitments, {len(report.sources_created)} sources")


def _say_alerts(channels: list[Any]) -> None:
    if channels:
        say("alerts: " + ", ".join(f"{c.service} {c.label}" for c in channels))
    else:
        say(
            "alerts: none (set alerts.urls to get setbacks, status changes and failing sources between digests)"
        )


# -- scheduler ---------------------------------------------------------------------------


@scheduler_app.command("start")
def scheduler_start() -> None:
    """Run the scheduler in the foreground (standby while another instance leads)."""
    if not migrate.is_current():
        raise fail("the database schema is not current: run `summitwatch db upgrade` first")
    channels = check_alerts(register=True)
    service = SchedulerService(say=say)
    _install_stop_handlers(service.stop)
    say(f"scheduler on {mask_url(get_settings().effective_database_url)}")
    _say_alerts(channels)
    service.run()


@scheduler_app.command("jobs")
def scheduler_jobs(
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Each job: schedule, next run, last run and its result."""
    views = describe_jobs()
    rows: list[dict[str, Any]] = []
    for v in views:
        last = v.last_run or {}
        rows.append(
            {
                "id": v.id,
                "schedule": v.schedule,
                "next_run": v.next_run.isoformat() if v.next_run else None,
                "stored": v.stored,
                "last_started": last["started_at"].isoformat() if last.get("started_at") else None,
                "last_status": last.get("status"),
                "last_result": last.get("result"),
            }
        )
    emit(
        rows,
        fmt,
        [
            ("job", "id"),
            (
                "next run",
                lambda r: _local(datetime.fromisoformat(r["next_run"])) if r["next_run"] else "paused",
            ),
            (
                "last run",
                lambda r: _local(datetime.fromisoformat(r["last_started"])) if r["last_started"] else "never",
            ),
            (
                "last result",
                lambda r: f"{r['last_status']}: {r['last_result'] or ''}" if r["last_status"] else "",
            ),
            ("schedule", "schedule"),
        ],
        title="Scheduled jobs",
    )
    if fmt is Format.table:
        current = leader()
        if current is None:
            console.print(
                "no scheduler is running (start one: summitwatch scheduler start, or summitwatch run)"
            )
        else:
            console.print(
                f"scheduler: {current.holder}, leading since {_local(current.acquired_at)}", highlight=False
            )
        if any(not v.stored for v in views):
            console.print("(next runs not yet stored are what a scheduler started now would plan)")


@scheduler_app.command("run-now")
def scheduler_run_now(
    job: str = typer.Argument(..., help="A job id, e.g. crawl:anssi, digest:weekly, housekeeping:daily."),
) -> None:
    """Run one job now, in this process, under the same lock as the scheduler (skipped when held)."""
    if not jobs.known_job(job):
        known = ", ".join(v.id for v in describe_jobs())
        raise fail(f"unknown job {job!r}; configured jobs: {known}")
    check_alerts(register=True)
    started = time.monotonic()
    outcome = jobs.run_job(job)
    console.print(
        f"{job}: {outcome.status} ({time.monotonic() - started:.1f} s) — {outcome.result}", highlight=False
    )
    if outcome.status == "skipped":
        raise typer.Exit(3)
    if outcome.status != "ok":
        raise typer.Exit(1)


# -- run ---------------------------------------------------------------------------------


def _listening(host: str, port: int) -> bool:
    """Whether something accepts connections on (host, port): the workers are serving."""
    try:
        with socket.create_connection(("127.0.0.1" if host in ("0.0.0.0", "") else host, port), timeout=0.5):
            return True
    except OSError:
        return False


def serve_with_scheduler(
    host: str,
    port: int,
    *,
    scheduler: bool = True,
    banner: list[str] | None = None,
    workers: int = 1,
) -> None:
    """The web app under uvicorn (in this process, or `workers` processes), the scheduler in a thread."""
    import uvicorn

    from web.app import create_app
    from web.serving import Workers, server_config

    settings = get_settings()
    service = SchedulerService(settings, say=say)
    pool = Workers(settings, host, port, workers) if workers > 1 else None
    server = None if pool else uvicorn.Server(server_config(create_app(settings), settings, host, port))
    stopped = threading.Event()

    def stop() -> None:
        service.stop()
        stopped.set()
        if server is not None:
            server.should_exit = True
        if pool is not None:
            pool.stop()

    _install_stop_handlers(stop)  # with workers, uvicorn's supervisor takes SIGINT/SIGTERM over
    worker = threading.Thread(target=service.run, name="scheduler", daemon=True)
    if scheduler:
        worker.start()

    def started() -> bool:
        return server.started if server is not None else _listening(host, port)

    def announce() -> None:
        while not started() and not stopped.is_set() and not (server is not None and server.should_exit):
            time.sleep(0.05)
        if not stopped.is_set() and started():
            shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
            suffix = f", {workers} workers" if pool else ""
            say(f"web app listening on http://{shown}:{port}/{suffix} (Ctrl-C to stop)")
            for line in banner or []:
                say(line)

    threading.Thread(target=announce, name="announce", daemon=True).start()
    try:
        if pool is not None:
            pool.run()
        else:
            assert server is not None
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stopped.set()
        service.stop()
        if scheduler:
            worker.join()
    say("stopped")


def run(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default: settings web.host)."
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port (default: settings web.port)."
    ),
    workers: int | None = WORKERS,
) -> None:
    """Migrate, load the baseline if needed, then serve the web app and run the scheduler together."""
    settings = get_settings()
    channels = check_alerts()
    say(f"database: {mask_url(settings.effective_database_url)}")
    prepare_database()
    register_channels(channels)
    if settings.smtp_host:
        say(f"mail: SMTP {settings.smtp_host}:{settings.smtp_port}")
    else:
        say(f"mail: written to the outbox {settings.effective_outbox_dir.resolve()}")
    _say_alerts(channels)
    serve_with_scheduler(
        host or settings.web.host, port or settings.web.port, workers=workers or settings.web.workers
    )


# -- demo --------------------------------------------------------------------------------


def demo(
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port of the web app."),
    data_dir: str | None = typer.Option(
        None, "--data-dir", help="Where the throwaway data goes (default: a new temporary folder)."
    ),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="Set up, then exit without starting the web app."
    ),
) -> None:
    """The whole pipeline offline: local mirrors of the sites, crawl, match, digest, web app."""
    from summitwatch import demo as demo_module

    try:
        prepared = demo_module.prepare(data_dir, port=port, say=say)
    except demo_module.DemoError as exc:
        raise fail(str(exc)) from None
    if no_serve:
        for line in prepared.banner():
            say(line)
        prepared.close()
        return
    try:
        serve_with_scheduler("127.0.0.1", port, scheduler=False, banner=prepared.banner())
    finally:
        prepared.close()
