"""What the crawler needs from the database: crawl runs, known pages, validators, stored pages.

The crawler never touches SQLAlchemy itself (import-linter contract); each function
here is one short transaction, so a crawl killed half-way keeps what it stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import session_scope
from storage.models import CrawlRun, FetchValidator, Publication, Source, utcnow
from storage.publications import (
    Outcome,
    PublicationInput,
    save_validators,
    source_ids,
    store_snapshot,
    upsert_publication,
)

COUNTERS = (
    "requests",
    "pages",
    "new",
    "updated",
    "unchanged",
    "not_modified",
    "errors",
    "fallback_extractions",
)


def start_run(slug: str, *, mode: str = "incremental", url: str | None = None) -> int:
    """A `running` crawl_runs row for `slug`; raises KeyError for an unknown source."""
    with session_scope(url) as session:
        source = session.scalar(select(Source).where(Source.slug == slug))
        if source is None:
            raise KeyError(f"unknown source {slug!r}")
        run = CrawlRun(source_id=source.id, status="running", mode=mode, started_at=utcnow())
        session.add(run)
        session.flush()
        return run.id


def update_run(run_id: int, counts: dict[str, int], *, url: str | None = None) -> None:
    with session_scope(url) as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            for name in COUNTERS:
                if name in counts:
                    setattr(run, name, int(counts[name]))


def finish_run(
    run_id: int,
    status: str,
    counts: dict[str, int],
    *,
    error_summary: str | None = None,
    stats: dict[str, Any] | None = None,
    url: str | None = None,
) -> None:
    """Close a run with its final counts; `status` is ok, partial or failed."""
    with session_scope(url) as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            return
        for name in COUNTERS:
            if name in counts:
                setattr(run, name, int(counts[name]))
        run.status = status
        run.finished_at = utcnow()
        run.error_summary = error_summary
        run.stats = stats or {}


def fail_run(run_id: int, reason: str, *, url: str | None = None) -> None:
    """Mark a run failed (a killed or crashed child); a run already closed keeps its status."""
    with session_scope(url) as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            return
        if run.status == "running":
            run.status = "failed"
            run.finished_at = utcnow()
        run.errors = max(run.errors, 1)
        run.error_summary = reason if not run.error_summary else f"{reason}; {run.error_summary}"


def get_run(run_id: int, *, url: str | None = None) -> dict[str, Any]:
    with session_scope(url) as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise KeyError(f"no crawl run {run_id}")
        data: dict[str, Any] = {name: getattr(run, name) for name in COUNTERS}
        data.update(
            id=run.id,
            status=run.status,
            mode=run.mode,
            error_summary=run.error_summary,
            stats=dict(run.stats or {}),
            started_at=run.started_at,
            finished_at=run.finished_at,
        )
        return data


def known_pages(slug: str, *, url: str | None = None) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Stored URLs of a source with their (published_at, modified_at)."""
    with session_scope(url) as session:
        rows = session.execute(
            select(Publication.url, Publication.published_at, Publication.modified_at)
            .join(Source)
            .where(Source.slug == slug)
        ).tuples()
        return {row[0]: (row[1], row[2]) for row in rows}


def load_validators(
    urls: set[str] | None = None, *, url: str | None = None
) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified per URL (all of them, or those in `urls`)."""
    with session_scope(url) as session:
        query = select(FetchValidator)
        if urls is not None and len(urls) < 500:
            query = query.where(FetchValidator.url.in_(urls))
        return {r.url: (r.etag, r.last_modified) for r in session.scalars(query)}


def save_validator(
    page_url: str, etag: str | None, last_modified: str | None, *, url: str | None = None
) -> None:
    with session_scope(url) as session:
        save_validators(session, page_url, etag, last_modified)


def store_page(
    item: PublicationInput,
    raw: bytes | None,
    content_type: str | None,
    validators: tuple[str, str | None, str | None] | None = None,
    *,
    url: str | None = None,
) -> Outcome:
    """Snapshot the raw bytes, upsert the publication and remember (url, etag, last-modified), atomically."""
    with session_scope(url) as session:
        if raw is not None:
            item.snapshot_sha256 = store_snapshot(session, item.url, raw, content_type)
        outcome, _publication = upsert_publication(session, item, source_ids(session))
        if validators is not None:
            save_validators(session, *validators)
        return outcome
