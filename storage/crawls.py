"""What the crawler needs from the database: crawl runs, known pages, validators, stored pages.

The crawler never touches SQLAlchemy itself (import-linter contract); each function
here is one short transaction, so a crawl killed half-way keeps what it stored (pages
are stored in batches of a few dozen: a killed crawl loses at most its last batch,
fetched again by the next run). A
refetched page that does not look like the article it replaces is refused here
(`storage.overwrite`): the good version stays, the served bytes are kept as a snapshot
and the refusal is a `page_refusals` row.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.db import session_scope
from storage.models import CrawlRun, FetchValidator, PageRefusal, Publication, Snapshot, Source, utcnow
from storage.overwrite import replacement_problem
from storage.page_batch import BatchRows
from storage.publications import (
    Outcome,
    PublicationInput,
    content_hash,
    save_validators,
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
    "refused",
    "outside_patterns",
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
    health: str | None = None,
    reasons: list[str] | None = None,
    url: str | None = None,
) -> None:
    """Close a run with its final counts; `status` is ok, partial or failed; health ok, degraded, failing."""
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
        run.health = health
        run.health_reasons = list(reasons or [])


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
        run.health = "failing"
        run.health_reasons = [f"the crawl did not finish: {reason}", *(run.health_reasons or [])]


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
            health=run.health,
            health_reasons=list(run.health_reasons or []),
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


StoreResult = tuple[Outcome | Literal["refused"], str | None]
PageToStore = tuple[PublicationInput, bytes | None, str | None, tuple[str, str | None, str | None] | None]


def store_page(
    item: PublicationInput,
    raw: bytes | None,
    content_type: str | None,
    validators: tuple[str, str | None, str | None] | None = None,
    *,
    run_id: int | None = None,
    url: str | None = None,
) -> StoreResult:
    """Snapshot the raw bytes, upsert the publication and remember its validators, atomically.

    A version that would replace a stored one with junk (a generic title, most of the
    text gone) is refused instead: ("refused", why), with the refusal recorded.
    """
    with session_scope(url) as session:
        return _store_all(session, [(item, raw, content_type, validators)], run_id)[0]


def store_pages(
    pages: list[PageToStore], *, run_id: int | None = None, url: str | None = None
) -> list[StoreResult | Exception]:
    """`store_page` for a batch in one transaction (a commit per page was a fifth of a crawl's time).

    When a page fails, the batch is rolled back and each page is stored again on its
    own, so that only the failing one is lost; its exception is returned in its place.
    (No savepoints: pysqlite's would commit each page by itself.)
    """
    try:
        with session_scope(url) as session:
            return list(_store_all(session, pages, run_id))
    except Exception as exc:
        if len(pages) == 1:
            return [exc]
    results: list[StoreResult | Exception] = []
    for page in pages:
        try:
            results.append(store_page(*page, run_id=run_id, url=url))
        except Exception as exc:  # one bad page must not lose the others; the caller names it
            results.append(exc)
    return results


def _store_all(session: Session, pages: list[PageToStore], run_id: int | None) -> list[StoreResult]:
    """Every page of a batch: what is stored already read in one query per table, the
    snapshots written first (publications and refusals point at them), then the rest."""
    rows = BatchRows.read(
        session,
        urls={item.url for item, *_ in pages},
        shas={hashlib.sha256(raw).hexdigest() for _, raw, *_ in pages if raw is not None},
        validator_urls={v[0] for *_, v in pages if v is not None},
    )
    new_snapshots: list[dict[str, Any]] = []
    shas = [
        store_snapshot(session, item.url, raw, content_type, stored=rows.snapshots, pending=new_snapshots)
        if raw is not None
        else None
        for item, raw, content_type, _ in pages
    ]
    if new_snapshots:  # one bulk INSERT, in the batch's transaction (rolled back with it)
        session.execute(insert(Snapshot), new_snapshots)
    return [
        _store(session, item, sha, validators, run_id, rows)
        for (item, _raw, _type, validators), sha in zip(pages, shas, strict=True)
    ]


def _store(
    session: Session,
    item: PublicationInput,
    sha: str | None,
    validators: tuple[str, str | None, str | None] | None,
    run_id: int | None,
    rows: BatchRows,
) -> StoreResult:
    existing = rows.publications.get(item.url)
    if existing is not None:
        why = replacement_problem(
            existing.title, existing.body, item.title, item.body, rows.site_names(session, item.source)
        )
        if why is not None and content_hash(item.title, item.body) != existing.content_hash:
            _refusal(session, existing.source_id, run_id, item.url, why, sha)
            return "refused", why
    item.snapshot_sha256 = sha
    outcome, publication = upsert_publication(session, item, rows.sources, existing=existing, flush=False)
    rows.publications[item.url] = publication
    if validators is not None:
        save_validators(session, *validators, rows=rows.validators)
    return outcome, None


def _refusal(
    session: Session, source_id: int, run_id: int | None, page_url: str, why: str, sha: str | None
) -> None:
    session.add(
        PageRefusal(
            source_id=source_id,
            run_id=run_id,
            url=page_url,
            reason=why,
            snapshot_sha256=sha,
            refused_at=utcnow(),
        )
    )


def record_refusal(
    slug: str,
    run_id: int | None,
    page_url: str,
    why: str,
    raw: bytes | None,
    content_type: str | None,
    *,
    url: str | None = None,
) -> None:
    """A stored page refetched as something else (maintenance, garbage…): keep the bytes and say so."""
    with session_scope(url) as session:
        source_id = session.scalar(select(Source.id).where(Source.slug == slug))
        if source_id is None:
            raise KeyError(f"unknown source {slug!r}")
        sha = store_snapshot(session, page_url, raw, content_type) if raw else None
        _refusal(session, source_id, run_id, page_url, why, sha)
