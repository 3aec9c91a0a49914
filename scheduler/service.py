"""The scheduler process: one leader per database, the others on standby.

APScheduler 3's job store must not be shared by two running schedulers (its FAQ), so
a process first takes the `scheduler:leader` lock (a PostgreSQL advisory lock, a
lease row on SQLite); until it gets it, it waits as a standby. The leader runs a
BackgroundScheduler whose jobs live in the project's database (SQLAlchemyJobStore),
with coalescing, one instance per job, and a misfire grace. Stopping lets the job in
flight finish its current step, then releases the lock so a standby takes over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from scheduler import jobs
from scheduler.locking import LEADER_LOCK, Renewed
from storage import jobruns
from storage.db import get_engine, make_engine
from storage.errors import DATABASE_ERRORS
from storage.locks import LockInfo, lock_info, new_holder
from summitwatch.config import Settings, get_settings

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"

Say = Callable[[str], None]


def _job_store(*, own_engine: bool = False) -> SQLAlchemyJobStore:
    """The job store in the project's database, through storage's engine (SQLite pragmas, pool checks).

    A running scheduler gets an engine of its own: the store disposes of it at shutdown.
    """
    engine = make_engine(get_settings().effective_database_url) if own_engine else get_engine()
    return SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)


def make_scheduler(settings: Settings) -> BackgroundScheduler:
    plan = settings.schedule
    return BackgroundScheduler(
        jobstores={"default": _job_store(own_engine=True)},
        executors={"default": ThreadPoolExecutor(plan.workers)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": plan.misfire_grace_seconds},
        timezone=ZoneInfo(plan.timezone),
    )


def sync_jobs(scheduler: BackgroundScheduler, specs: list[jobs.JobSpec]) -> None:
    """Put the wanted jobs in the store by fixed id; a job whose schedule is unchanged keeps its next run."""
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            log.info("removing job %s (no longer configured)", job.id)
            scheduler.remove_job(job.id)
    for spec in specs:
        existing = scheduler.get_job(spec.id)
        options: dict[str, Any] = {}
        if existing is not None and existing.name == spec.name:
            options["next_run_time"] = existing.next_run_time  # keep its place (None: paused by hand)
        elif spec.first_run is not None:
            options["next_run_time"] = spec.first_run
        scheduler.add_job(
            jobs.JOB_FUNC,
            trigger=spec.trigger,
            args=[spec.id],
            id=spec.id,
            name=spec.name,
            replace_existing=True,
            **options,
        )


CUT_SHORT = ("running", "interrupted")  # killed mid-run (no end recorded), or stopped between steps


def resume_cut_short(scheduler: BackgroundScheduler) -> list[str]:
    """Jobs whose last run did not get to its end run again now, not a period later.

    Their next run was already moved on when the cut run started: waiting for it would
    leave a crawl unmatched for hours, and a digest half-sent until the next week's, which
    sends another period. If the run is in fact still going elsewhere (`run-now`), the
    new run finds its lock held and is skipped.
    """
    resumed = []
    now = datetime.now(UTC)
    for job_id, run in sorted(jobruns.last_runs().items()):
        job = scheduler.get_job(job_id)
        if run["status"] in CUT_SHORT and job is not None and job.next_run_time is not None:
            scheduler.modify_job(job_id, next_run_time=now)
            resumed.append(job_id)
    return resumed


@dataclass
class JobView:
    """One row of `scheduler jobs`."""

    id: str
    schedule: str
    next_run: datetime | None
    last_run: dict[str, Any] | None
    stored: bool


def stored_jobs() -> dict[str, tuple[str, datetime | None]]:
    """The job store's content (id -> name, next run), read without starting a scheduler."""
    store = _job_store()
    # The base class's start only wires the store up: SQLAlchemyJobStore.start would also create
    # its table, and a read-only command should not write. No store.shutdown(): it would dispose
    # of the process's shared engine.
    BaseJobStore.start(store, BackgroundScheduler(timezone=UTC), "default")
    try:
        return {job.id: (job.name, job.next_run_time) for job in store.get_all_jobs()}
    except DATABASE_ERRORS:
        return {}  # no scheduler has ever run on this database: no table yet


def describe_jobs(settings: Settings | None = None) -> list[JobView]:
    """Configured jobs with their next run (from the store, else computed) and last run."""
    settings = settings or get_settings()
    stored = stored_jobs()
    last = jobruns.last_runs()
    now = datetime.now(UTC)
    views: list[JobView] = []
    for spec in jobs.job_specs(settings, now=now):
        if spec.id in stored:
            name, next_run = stored[spec.id]
            views.append(JobView(spec.id, name, next_run, last.get(spec.id), True))
        else:
            next_run = spec.first_run or spec.trigger.get_next_fire_time(None, now)
            views.append(JobView(spec.id, spec.name, next_run, last.get(spec.id), False))
    configured = {v.id for v in views}
    for job_id, (name, next_run) in stored.items():
        if job_id not in configured:
            views.append(JobView(job_id, f"{name} (no longer configured)", next_run, last.get(job_id), True))
    return views


def leader() -> LockInfo | None:
    """The scheduler that leads now, if its lease is live."""
    info = lock_info(LEADER_LOCK)
    return info if info is not None and info.live else None


class SchedulerService:
    """Standby until leader, then schedule until stopped; `run()` blocks, `stop()` is thread-safe."""

    def __init__(self, settings: Settings | None = None, *, say: Say | None = None) -> None:
        self.settings = settings or get_settings()
        self.say: Say = say or (lambda text: log.info("%s", text))
        self.stopping = threading.Event()
        self.leading = threading.Event()
        self.scheduler: BackgroundScheduler | None = None
        self.holder = new_holder("scheduler")
        if log.getEffectiveLevel() > logging.DEBUG:
            logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our own lines say it shorter

    def stop(self) -> None:
        """Ask the service to stop: the running job finishes its current step first."""
        jobs.STOP.set()
        self.stopping.set()

    def run(self) -> None:
        jobs.STOP.clear()
        announced = False
        pause = self.settings.schedule.standby_poll_seconds
        while not self.stopping.is_set():
            leadership = Renewed(LEADER_LOCK, self.holder)
            try:
                leads = leadership.acquire()
            except Exception as exc:  # the database is unreachable: keep trying, like a standby
                log.warning("cannot reach the database to take the scheduler lock: %s", exc)
                self.stopping.wait(pause)
                continue
            if not leads:
                if not announced:
                    current = lock_info(LEADER_LOCK)
                    who = current.holder if current is not None else "another process"
                    self.say(f"standby: {who} is the scheduler; taking over when it stops")
                    announced = True
                self.stopping.wait(pause)
                continue
            announced = False
            failed = False
            try:
                self._lead(leadership)
            except Exception:  # e.g. the database went away mid-way: step down, then try again
                log.exception("the scheduler failed; retrying in %s s", pause)
                failed = True
            finally:
                leadership.release()
            if failed:
                self.stopping.wait(pause)
        self.say("scheduler stopped")

    def _lead(self, leadership: Renewed) -> None:
        scheduler = self.scheduler = make_scheduler(self.settings)
        scheduler.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
        scheduler.start(paused=True)
        try:
            sync_jobs(scheduler, jobs.job_specs(self.settings))
            for job_id in resume_cut_short(scheduler):
                self.say(f"  {job_id}: its last run was cut short; running it again now")
            scheduler.resume()
            self.leading.set()
            self.say(f"scheduler {self.holder} leads; jobs:")
            tz = ZoneInfo(self.settings.schedule.timezone)
            for job in sorted(
                scheduler.get_jobs(), key=lambda j: j.next_run_time or datetime.max.replace(tzinfo=UTC)
            ):
                next_run = job.next_run_time
                when = next_run.astimezone(tz).isoformat(timespec="seconds") if next_run else "paused"
                self.say(f"  {job.id:<22} next {when}  — {job.name}")
            while not self.stopping.wait(0.25):
                if leadership.lost.is_set():
                    self.say("scheduler lock lost: stepping down to standby")
                    break
        finally:
            self.leading.clear()
            log.info("waiting for the running jobs to finish their current step")
            scheduler.shutdown(wait=True)
            self.scheduler = None

    def _on_event(self, event: JobExecutionEvent | JobSubmissionEvent) -> None:
        job_id = event.job_id
        if event.code == EVENT_JOB_MISSED:
            reason = f"missed: due {event.scheduled_run_time}, beyond the misfire grace"
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            reason = "skipped: the previous run is still going"
        else:
            log.error("job %s raised: %s", job_id, getattr(event, "exception", None))
            return
        log.warning("%s %s", job_id, reason)
        try:
            jobruns.record_skip(job_id, jobs.process_name(), reason)
        except Exception:  # the ledger is best effort here; the scheduler must keep going
            log.exception("could not record the skipped run of %s", job_id)
