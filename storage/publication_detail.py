"""Reading what is stored: one publication in full (`publications show`), or all as JSON Lines.

The export writes exactly the keys `publications import` reads (storage.importer), so
export then import into a fresh database gives the same `publications list`. A date
known to the day is written as that day ("2026-03-03"), never as a UTC instant that
would read as the day before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from storage.dateprecision import dated, guess_precision
from storage.models import Evidence, PageRefusal, Publication, Snapshot, Source
from storage.queries import NotFound, iso, publication_dict

EXPORT_KEYS = (
    "url",
    "source",
    "title",
    "published_at",
    "date_precision",
    "modified_at",
    "language",
    "summary",
    "tags",
    "body",
    "fetched_via",
    "extracted_by",
)


def _snapshot(session: Session, sha: str | None) -> dict[str, Any] | None:
    if sha is None:
        return None
    snapshot = session.get(Snapshot, sha)
    if snapshot is None:
        return {"sha256": sha, "kept": False}
    return {
        "sha256": sha,
        "kept": True,
        "size": snapshot.size,
        "content_type": snapshot.content_type,
        "fetched_at": iso(snapshot.fetched_at),
    }


def find_publication(session: Session, url: str) -> Publication:
    """The publication stored at `url`, with or without its trailing slash (the exact one first)."""
    wanted = url.strip()
    spellings = [wanted, wanted[:-1] if wanted.endswith("/") else wanted + "/"]  # the slash does not count
    publication = session.scalar(
        select(Publication)
        .where(Publication.url.in_(spellings))
        .order_by(Publication.url != wanted)
        .limit(1)
        .options(
            joinedload(Publication.source),
            selectinload(Publication.revisions),
            selectinload(Publication.evidence).joinedload(Evidence.commitment),
        )
    )
    if publication is None:
        raise NotFound(f"no publication stored at {url}")
    return publication


def publication_detail(session: Session, url: str) -> dict[str, Any]:
    """Everything stored about one publication: text, dates, provenance, revisions, evidence, refusals."""
    try:
        publication = find_publication(session, url)
    except NotFound:
        raise NotFound(f"no publication stored at {url} (see `summitwatch publications list`)") from None
    p = publication
    detail = publication_dict(p, with_body=True)
    detail.update(
        date_precision=p.date_precision or guess_precision(p.published_at),
        published=dated(p.published_at, p.date_precision),
        modified=dated(p.modified_at, None),
        last_seen_at=iso(p.last_seen_at),
        changed_at=iso(p.changed_at),
        content_hash=p.content_hash,
        snapshot=_snapshot(session, p.snapshot_sha256),
        revisions=len(p.revisions),
        revision_list=[
            {
                "title": r.title,
                "published_at": iso(r.published_at),
                "seen_from": iso(r.seen_from),
                "replaced_at": iso(r.replaced_at),
                "content_hash": r.content_hash,
                "snapshot_sha256": r.snapshot_sha256,
                "chars": len(r.body),
            }
            for r in reversed(p.revisions)
        ],
        evidence=[
            {
                "commitment": e.commitment.slug,
                "signal": e.signal,
                "score": round(e.score, 4),
                "review_state": e.review_state,
                "excerpt": e.excerpt,
            }
            for e in sorted(p.evidence, key=lambda e: (-e.score, e.id))
        ],
        refusals=[
            {
                "refused_at": iso(r.refused_at),
                "reason": r.reason,
                "snapshot_sha256": r.snapshot_sha256,
                "run_id": r.run_id,
            }
            for r in session.scalars(
                select(PageRefusal)
                .where(PageRefusal.url == p.url)
                .order_by(PageRefusal.refused_at.desc(), PageRefusal.id.desc())
                .limit(20)
            )
        ],
    )
    return detail


def export_line(p: Publication) -> dict[str, Any]:
    """One publication with the keys `publications import` reads."""
    precision = p.date_precision or guess_precision(p.published_at)
    return {
        "url": p.url,
        "source": p.source.slug,
        "title": p.title,
        "published_at": dated(p.published_at, precision),
        "date_precision": precision,
        "modified_at": iso(p.modified_at),
        "language": p.language,
        "summary": p.summary,
        "tags": list(p.tags),
        "body": p.body,
        "fetched_via": p.fetched_via,
        "extracted_by": p.extracted_by,
    }


def export_publications(session: Session, source: str | None = None) -> Iterator[dict[str, Any]]:
    """Every publication (of one source), oldest first, so an import keeps the order of equal dates."""
    if source and session.scalar(select(Source.id).where(Source.slug == source)) is None:
        raise NotFound(f"no source with slug {source!r}")
    query = (
        select(Publication)
        .join(Publication.source)
        .options(joinedload(Publication.source))
        .order_by(Publication.published_at.asc().nulls_first(), Publication.id.asc())
        .execution_options(yield_per=200)
    )
    if source:
        query = query.where(Source.slug == source)
    for publication in session.scalars(query):
        yield export_line(publication)
