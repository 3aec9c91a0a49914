"""The ledger of scheduled job runs: what ran, where, when, and how it ended.

Each call is one short transaction so a killed process leaves at most a `running`
row, which the next holder of the job's lock marks `interrupted`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from storage.db import session_scope
from storage.models import CrawlRun, JobRun, Source, utcnow

STATUSES = ("running", "ok", "attention", "failed", "skipped", "interrupted")


def _as_dict(run: JobRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "job_id": run.job_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": run.status,
        "result": run.result,
        "holder": run.holder,
    }


def start_run(job_id: str, holder: str) -> int:
    """A `running` row; call it only while holding the job's lock."""
    with session_scope() as session:
        run = JobRun(job_id=job_id, holder=holder, status="running", started_at=utcnow())
        session.add(run)
        session.flush()
        return run.id


def finish_run(run_id: int, status: str, result: str | None = None) -> None:
    """Close a run as ok or failed, with a one-line result."""
    if status not in STATUSES:
        raise ValueError(f"unknown job run status {status!r}")
    with session_scope() as session:
        run = session.get(JobRun, run_id)
        if run is not None:
            run.status = status
            run.result = (result or "")[:4000] or None
            run.finished_at = utcnow()


def record_skip(job_id: str, holder: str, reason: str) -> None:
    """A run that did not happen because another process held the job's lock."""
    now = utcnow()
    with session_scope() as session:
        session.add(
            JobRun(
                job_id=job_id, holder=holder, status="skipped", started_at=now, finished_at=now, result=reason
            )
        )


def interrupt_stale(job_id: str, current_run: int) -> list[dict[str, Any]]:
    """Mark `running` rows of a job left by a killed process (the caller holds the lock); returns them."""
    with session_scope() as session:
        stale = list(
            session.scalars(
                select(JobRun).where(
                    JobRun.job_id == job_id, JobRun.status == "running", JobRun.id != current_run
                )
            )
        )
        now = utcnow()
        for run in stale:
            run.status = "interrupted"
            run.finished_at = now
            run.result = "process ended during the run"
        return [_as_dict(run) for run in stale]


def close_abandoned_crawls(slug: str, since: datetime, reason: str) -> int:
    """Mark failed the crawl runs of `slug` started since `since` and still `running`.

    For the crawl job's next run after an interrupted one: the crawl child of a killed
    scheduler dies with it (or on its broken pipe) and cannot close its own run. A crawl
    still alive elsewhere overwrites this when it finishes.
    """
    with session_scope() as session:
        runs = session.scalars(
            select(CrawlRun)
            .join(Source, Source.id == CrawlRun.source_id)
            .where(Source.slug == slug, CrawlRun.status == "running", CrawlRun.started_at >= since)
        )
        closed = 0
        now = utcnow()
        for run in runs:
            run.status = "failed"
            run.finished_at = now
            run.errors = max(run.errors, 1)
            run.error_summary = reason
            closed += 1
        return closed


def last_runs(include_skipped: bool = False) -> dict[str, dict[str, Any]]:
    """The latest run of each job id (by default the latest that was not skipped)."""
    with session_scope() as session:
        latest = select(JobRun.job_id, func.max(JobRun.id).label("id"))
        if not include_skipped:
            latest = latest.where(JobRun.status != "skipped")
        sub = latest.group_by(JobRun.job_id).subquery()
        rows = session.scalars(select(JobRun).join(sub, JobRun.id == sub.c.id))
        return {r.job_id: _as_dict(r) for r in rows}


def runs(job_id: str | None = None, *, limit: int = 1000) -> list[dict[str, Any]]:
    """Runs oldest first (tests and `scheduler jobs --history`)."""
    with session_scope() as session:
        query = select(JobRun).order_by(JobRun.id)
        if job_id is not None:
            query = query.where(JobRun.job_id == job_id)
        return [_as_dict(r) for r in session.scalars(query.limit(limit))]


def prune(older_than: timedelta, now: datetime | None = None) -> int:
    """Forget finished runs older than `older_than` (the ledger must not grow for ever)."""
    cutoff = (now or utcnow()) - older_than
    with session_scope() as session:
        result: Any = session.execute(
            delete(JobRun).where(JobRun.started_at < cutoff, JobRun.status != "running")
        )
        return int(result.rowcount or 0)
