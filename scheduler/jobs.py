"""The scheduled jobs: fixed ids, their triggers from settings, and the guarded entry point.

Every job is stored as `scheduler.jobs:run_job(<job id>)`: the job store pickles a
reference and one string, never a closure. `run_job` takes the job's database lock
(skipping, logged and recorded, when another process holds it), records the run,
and runs the job's steps, checking between steps whether the process is stopping.

Ids: `crawl:<source>` (then matching, then alerts), `digest:weekly`, `digest:retry` (recipients
a server deferred, when their turn comes), `housekeeping:daily`,
`alerts:send` (queued and retried alerts, only when `alerts.urls` is set), and `probe`
(a test hook, only when `schedule.probe_every` is set).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.locking import LockHeld, held
from storage import jobruns
from storage.locks import new_holder
from summitwatch.config import Settings, get_settings

log = logging.getLogger(__name__)

JOB_FUNC = "scheduler.jobs:run_job"
DIGEST_JOB = "digest:weekly"
RETRY_JOB = "digest:retry"
HOUSEKEEPING_JOB = "housekeeping:daily"
ALERTS_JOB = "alerts:send"
PROBE_JOB = "probe"
MATCH_LOCK = "step:match"
JOB_RUN_RETENTION = timedelta(days=90)

STOP = threading.Event()
"""Set when the process is stopping: a job finishes its current step, then returns."""


class Stopping(Exception):
    """Raised from a progress callback to end a job between two steps."""


class NeedsAttention(Exception):
    """A job that did its work but left something for a person (rows deferred or unsettled):
    recorded as `attention`, not `ok`."""


@dataclass(frozen=True)
class JobSpec:
    """One job as settings define it; `name` doubles as its schedule's fingerprint."""

    id: str
    name: str
    trigger: BaseTrigger
    first_run: datetime | None = None  # for a job new to the store; None: the trigger decides


@dataclass(frozen=True)
class Outcome:
    status: str  # ok | attention | failed | skipped
    result: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- the schedule ------------------------------------------------------------------------


def enabled_sources() -> list[str]:
    """Sources configured for the crawler and enabled in the database."""
    from crawler.sources import load_sources
    from storage.db import session_scope
    from storage.queries import list_sources

    configured = set(load_sources())
    with session_scope() as session:
        return sorted(s["slug"] for s in list_sources(session) if s["enabled"] and s["slug"] in configured)


def _wanted(job_id: str, only: list[str]) -> bool:
    return not only or any(job_id == p or job_id.startswith(p) for p in only)


def _seconds(delta: timedelta) -> str:
    return f"{delta.total_seconds():g} s" if delta < timedelta(minutes=2) else str(delta)


def job_specs(settings: Settings | None = None, *, now: datetime | None = None) -> list[JobSpec]:
    """Every job the settings ask for, in display order."""
    settings = settings or get_settings()
    plan = settings.schedule
    tz = plan.timezone
    now = now or datetime.now(UTC)
    specs: list[JobSpec] = []
    jitter = plan.crawl_jitter_seconds or None
    for slug in enabled_sources():
        mirror = plan.crawl_base_urls.get(slug)
        specs.append(
            JobSpec(
                id=f"crawl:{slug}",
                name=f"crawl {slug} then match, every {_seconds(plan.crawl_every)}"
                + (f" (jitter {jitter} s)" if jitter else "")
                + (f" from {mirror}" if mirror else ""),
                trigger=IntervalTrigger(seconds=plan.crawl_every.total_seconds(), jitter=jitter, timezone=tz),
                first_run=now + timedelta(seconds=plan.first_crawl_delay_seconds),
            )
        )
    if plan.digest_every is not None:
        digest_trigger: BaseTrigger = IntervalTrigger(seconds=plan.digest_every.total_seconds(), timezone=tz)
        when = f"every {_seconds(plan.digest_every)}"
    else:
        digest_trigger = CronTrigger(
            day_of_week=plan.digest_day_of_week, hour=plan.digest_hour, minute=plan.digest_minute, timezone=tz
        )
        when = f"{plan.digest_day_of_week} {plan.digest_hour:02d}:{plan.digest_minute:02d} {tz}"
    specs.append(JobSpec(DIGEST_JOB, f"send the digest ({plan.digest_period} week), {when}", digest_trigger))
    retry_minutes = max(settings.digest.defer_minutes, 1.0)
    specs.append(
        JobSpec(
            RETRY_JOB,
            f"send deferred digests when due, every {retry_minutes:g} min",
            IntervalTrigger(seconds=retry_minutes * 60, timezone=tz),
        )
    )
    specs.append(
        JobSpec(
            HOUSEKEEPING_JOB,
            f"expire pending subscriptions, prune snapshots, daily {plan.housekeeping_hour:02d}:00 {tz}",
            CronTrigger(hour=plan.housekeeping_hour, minute=0, timezone=tz),
        )
    )
    if settings.alerts.urls:
        every = settings.alerts.retry_every
        specs.append(
            JobSpec(
                ALERTS_JOB,
                f"send new alerts and retry failed ones, every {_seconds(every)}",
                IntervalTrigger(seconds=every.total_seconds(), timezone=tz),
            )
        )
    if plan.probe_every is not None:
        specs.append(
            JobSpec(
                PROBE_JOB,
                f"probe ({plan.probe_seconds:g} s), every {_seconds(plan.probe_every)}",
                IntervalTrigger(seconds=plan.probe_every.total_seconds(), timezone=tz),
            )
        )
    return [s for s in specs if _wanted(s.id, plan.only)]


# -- the jobs ----------------------------------------------------------------------------


def crawl_job(slug: str) -> str:
    """Crawl one source in a child process, then match what is pending (two steps)."""
    from crawler.runner import crawl

    settings = get_settings()
    mirror = settings.schedule.crawl_base_urls.get(slug)
    results = crawl([slug], base_url=mirror, timeout=settings.crawler.run_timeout)
    crawled = "; ".join(r.line() for r in results)
    if STOP.is_set():  # recorded as interrupted: the next scheduler to lead matches at once
        raise Stopping(f"{crawled}; matching left for the next run")
    try:
        with held(MATCH_LOCK, new_holder("match"), wait=settings.crawler.run_timeout):
            matched = match_step()
    except Exception as exc:  # what was crawled is stored; the next run matches it
        raise RuntimeError(f"{crawled}; matching failed: {type(exc).__name__}: {exc}") from exc
    if not settings.alerts.urls:
        return f"{crawled}; {matched}"
    return f"{crawled}; {matched}; {alerts_step()}"


def alerts_step() -> str:
    """Send what matching (or a reviewer) just made; a channel's failure never fails the job."""
    from digests.alerts import send_alerts

    try:
        return send_alerts().line()
    except Exception as exc:  # the ledger keeps what is queued; the next pass sends it
        log.exception("alerts pass failed")
        return f"alerts failed: {type(exc).__name__}: {exc}"


def alerts_job() -> str:
    from digests.alerts import send_alerts

    return send_alerts().line()


def _stop_between(what: str) -> Callable[[int, int], None]:
    """A progress callback that ends the job between two committed units of work when stopping."""

    def check(done: int, total: int) -> None:
        if STOP.is_set() and done < total:
            raise Stopping(f"stopped after {done} of {total} {what}; the rest stays queued")

    return check


def match_step() -> str:
    """Match every new or changed publication (idempotent: what a killed run left is redone).

    Stopping ends it between two batches, each committed: the rest stays pending.
    """
    from tracker.pipeline import match_pending

    report = match_pending(progress=_stop_between("publications matched"))
    line = getattr(report, "line", None)
    return f"matched: {line() if callable(line) else report}"


def _period(setting: str) -> str | None:
    from digests.periods import PARIS, week_of

    if setting in ("", "last"):
        return None
    if setting == "current":
        return week_of(datetime.now(PARIS).date()).key
    return setting


def digest_job() -> str:
    """Send the digest; stopping ends the loop after the delivery in flight (the rest stays queued)."""
    from digests.send import send_digest

    report = send_digest(_period(get_settings().schedule.digest_period), progress=_stop_between("deliveries"))
    text = (
        f"digest {report.period}: {report.sent} sent, {report.already_sent} already sent, "
        f"{report.skipped} skipped, {report.failed_permanent} refused, {report.remaining} remaining"
    )
    if report.stopped:
        text += f"; {report.stopped}"
    return _digest_outcome(report, text)


def _digest_outcome(report: Any, text: str) -> str:
    if report.deferred or report.waiting:
        text += f"; {report.waiting} deferred, tried again by {RETRY_JOB}"
    if report.stuck:
        text += (
            f"; {len(report.stuck)} left 'sending' for a person to settle "
            "(summitwatch digest unsettled, then digest settle --message-id)"
        )
    if report.stopped:
        raise RuntimeError(text)
    if report.attention:
        raise NeedsAttention(text)
    return text


def digest_retry_job() -> str:
    """Send again the rows whose deferral is over, digest by digest."""
    from digests.send import send_digest
    from storage import deliveries
    from storage.db import session_scope
    from storage.models import Digest

    with session_scope() as session:
        periods = [session.get(Digest, i).period for i in deliveries.due_digest_ids(session)]  # type: ignore[union-attr]
    if not periods:
        return "nothing deferred is due"
    texts = []
    attention = False
    for period in periods:
        report = send_digest(period, progress=_stop_between("deliveries"))
        text = f"digest {report.period}: {report.sent} sent, {report.deferred} deferred again"
        try:
            texts.append(_digest_outcome(report, text))
        except NeedsAttention as exc:
            attention = True
            texts.append(str(exc))
    if attention:
        raise NeedsAttention("; ".join(texts))
    return "; ".join(texts)


def housekeeping_job() -> str:
    from storage.housekeeping import run_housekeeping

    settings = get_settings()
    report = run_housekeeping(settings.schedule.pending_expiry_days, settings.crawler.snapshot_retention_days)
    pruned = jobruns.prune(JOB_RUN_RETENTION)
    return f"{report.line()}, {pruned} old job runs forgotten"


def probe_job() -> str:
    """Test hook: append 'start' and 'end' lines around a pause, to prove runs never overlap."""
    plan = get_settings().schedule
    target: Path | None = plan.probe_file
    stamp = f"{process_name()}"

    def write(kind: str) -> None:
        if target is not None:
            line = f"{kind} {stamp} {time.time():.6f}\n".encode()
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    write("start")
    time.sleep(plan.probe_seconds)
    write("end")
    return f"probe slept {plan.probe_seconds:g} s"


def _function_for(job_id: str) -> Callable[[], str]:
    if job_id.startswith("crawl:") and len(job_id) > len("crawl:"):
        slug = job_id.removeprefix("crawl:")
        return lambda: crawl_job(slug)
    fixed: dict[str, Callable[[], str]] = {
        DIGEST_JOB: digest_job,
        RETRY_JOB: digest_retry_job,
        HOUSEKEEPING_JOB: housekeeping_job,
        ALERTS_JOB: alerts_job,
        PROBE_JOB: probe_job,
    }
    if job_id not in fixed:
        known = ", ".join(["crawl:<source>", *fixed])
        raise KeyError(f"unknown job {job_id!r}; jobs are {known}")
    return fixed[job_id]


def known_job(job_id: str) -> bool:
    try:
        _function_for(job_id)
    except KeyError:
        return False
    return True


def _recover(job_id: str, since: datetime) -> None:
    """Close what an interrupted run of `job_id` left open (its data is redone by this run)."""
    if job_id.startswith("crawl:"):
        slug = job_id.removeprefix("crawl:")
        closed = jobruns.close_abandoned_crawls(
            slug, since, "the scheduler process ended during the crawl; the next run picked up"
        )
        if closed:
            log.warning(
                "%s: %d crawl run(s) left running by the interrupted run marked failed", job_id, closed
            )
    # digest:weekly needs nothing: its queued deliveries are sent by this run, and a row left
    # `sending` is listed for a person to settle, never resent automatically.


def run_job(job_id: str) -> Outcome:
    """Run one job under its lock, recording it; never raises for the job's own failures."""
    function = _function_for(job_id)
    me = process_name()
    if STOP.is_set():
        log.info("%s not started: stopping", job_id)
        return Outcome("skipped", "the process is stopping")
    try:
        with held(f"job:{job_id}", new_holder(job_id)):
            run_id = jobruns.start_run(job_id, me)
            stale = jobruns.interrupt_stale(job_id, run_id)
            if stale:
                log.warning(
                    "%s: an earlier run was interrupted (its process ended); this run picks up", job_id
                )
                _recover(job_id, min(run["started_at"] for run in stale))
            log.info("%s started", job_id)
            try:
                result = function()
            except Stopping as exc:
                jobruns.finish_run(run_id, "interrupted", str(exc))
                log.info("%s stopped between steps: %s", job_id, exc)
                return Outcome("skipped", str(exc))
            except NeedsAttention as exc:
                jobruns.finish_run(run_id, "attention", str(exc))
                log.warning("%s needs attention: %s", job_id, exc)
                return Outcome("attention", str(exc))
            except Exception as exc:
                text = f"{type(exc).__name__}: {exc}"
                jobruns.finish_run(run_id, "failed", text)
                log.exception("%s failed", job_id)
                return Outcome("failed", text)
            jobruns.finish_run(run_id, "ok", result)
            log.info("%s done: %s", job_id, result)
            return Outcome("ok", result)
    except LockHeld as exc:
        reason = f"skipped: {exc}"
        log.warning("%s %s", job_id, reason)
        jobruns.record_skip(job_id, me, reason)
        return Outcome("skipped", reason)
