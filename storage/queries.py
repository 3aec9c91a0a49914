"""Read queries shared by the CLI and the web app, returning JSON-ready dicts.

The shapes returned here are the documented JSON interface (README, "JSON
output"): add keys freely, never rename or remove one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from storage.dateprecision import dated
from storage.health import run_health
from storage.models import (
    Commitment,
    CrawlRun,
    Evidence,
    Publication,
    Source,
    StatusChange,
)
from storage.search import matching_ids


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


class NotFound(LookupError):
    """The asked-for row does not exist; the message says which."""


# --- commitments --------------------------------------------------------------------


def _evidence_stats(session: Session) -> dict[int, tuple[int, datetime | None]]:
    rows = session.execute(
        select(
            Evidence.commitment_id,
            func.count(Evidence.id),
            func.max(Publication.published_at),
        )
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(Evidence.review_state != "rejected")
        .group_by(Evidence.commitment_id)
    ).all()
    return {cid: (count, last) for cid, count, last in rows}


def status_since(session: Session) -> dict[int, datetime]:
    """When each commitment's status holds from: the date of its last change (the last row)."""
    last = select(func.max(StatusChange.id)).group_by(StatusChange.commitment_id)
    rows = session.execute(
        select(StatusChange.commitment_id, StatusChange.changed_at).where(StatusChange.id.in_(last))
    )
    return dict(rows.tuples().all())


def commitment_summary(
    c: Commitment, stats: tuple[int, datetime | None], since: datetime | None
) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "title": {"fr": c.title_fr, "en": c.title_en},
        "theme": c.theme,
        "actors": list(c.actors),
        "summit": c.summit,
        "made_on": iso(c.made_on),
        "deadline": iso(c.deadline),
        "status": c.status,
        "status_since": dated(since, None),
        "evidence_count": stats[0],
        "last_evidence_at": dated(stats[1], None),
        "source_url": c.source_url,
    }


def list_commitments(
    session: Session,
    status: str | None = None,
    theme: str | None = None,
    actor: str | None = None,
) -> list[dict[str, Any]]:
    """Every commitment matching the filters, in baseline order (by id)."""
    query = select(Commitment).order_by(Commitment.id)
    if status:
        query = query.where(Commitment.status == status)
    if theme:
        query = query.where(Commitment.theme == theme)
    commitments = list(session.scalars(query))
    if actor:
        needle = actor.casefold()
        commitments = [c for c in commitments if any(needle in a.casefold() for a in c.actors)]
    stats = _evidence_stats(session)
    since = status_since(session)
    return [commitment_summary(c, stats.get(c.id, (0, None)), since.get(c.id)) for c in commitments]


def get_commitment(session: Session, slug: str) -> Commitment:
    commitment = session.scalar(select(Commitment).where(Commitment.slug == slug))
    if commitment is None:
        raise NotFound(f"no commitment with slug {slug!r}")
    return commitment


def evidence_dict(e: Evidence) -> dict[str, Any]:
    p = e.publication
    return {
        "id": e.id,
        "commitment": e.commitment.slug,
        "publication": {
            "url": p.url,
            "title": p.title,
            "source": p.source.slug,
            "published_at": dated(p.published_at, p.date_precision),
            "date_precision": p.date_precision,
            "language": p.language,
        },
        "score": round(e.score, 4),
        "signal": e.signal,
        "excerpt": e.excerpt,
        "matched_terms": list(e.matched_terms),
        "cue": e.cue,
        "background": e.background,
        "proposed_status": e.proposed_status,
        "review_state": e.review_state,
        "created_at": iso(e.created_at),
    }


def status_change_dict(s: StatusChange) -> dict[str, Any]:
    return {
        "commitment": s.commitment.slug,
        "old_status": s.old_status,
        "new_status": s.new_status,
        "changed_at": dated(s.changed_at, None),
        "changed_by": s.changed_by,
        "note": s.note,
        "evidence_url": s.evidence.publication.url if s.evidence is not None else None,
    }


def commitment_detail(session: Session, slug: str) -> dict[str, Any]:
    """One commitment with its description, status history and evidence (newest first)."""
    c = get_commitment(session, slug)
    stats = _evidence_stats(session).get(c.id, (0, None))
    history = list(
        session.scalars(
            select(StatusChange)
            .where(StatusChange.commitment_id == c.id)
            .order_by(StatusChange.id)
            .options(joinedload(StatusChange.evidence).joinedload(Evidence.publication))
        )
    )
    detail = commitment_summary(c, stats, history[-1].changed_at if history else None)
    detail.update(
        {
            "description": {"fr": c.description_fr, "en": c.description_en},
            "deadline_note": {"fr": c.deadline_note_fr, "en": c.deadline_note_en}
            if c.deadline_note_fr or c.deadline_note_en
            else None,
            "criteria": c.criteria,
            "aliases": c.aliases,
            "keywords": c.keywords,
            "history": [status_change_dict(s) for s in history],
            "evidence": [evidence_dict(e) for e in session.scalars(evidence_query(commitment=slug))],
        }
    )
    return detail


# --- evidence -----------------------------------------------------------------------


def evidence_query(
    commitment: str | None = None,
    since: datetime | None = None,
    signal: str | None = None,
    include_rejected: bool = False,
) -> Select[tuple[Evidence]]:
    """Evidence newest publication first; ties broken by id for stable paging."""
    query = (
        select(Evidence)
        .join(Evidence.publication)
        .join(Evidence.commitment)
        .options(
            joinedload(Evidence.publication).joinedload(Publication.source),
            joinedload(Evidence.commitment),
        )
        .order_by(Publication.published_at.desc().nulls_last(), Evidence.id.desc())
    )
    if commitment:
        query = query.where(Commitment.slug == commitment)
    if since is not None:
        query = query.where(Publication.published_at >= since)
    if signal:
        query = query.where(Evidence.signal == signal)
    if not include_rejected:
        query = query.where(Evidence.review_state != "rejected")
    return query


def list_evidence(
    session: Session,
    commitment: str | None = None,
    since: datetime | None = None,
    signal: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if commitment:
        get_commitment(session, commitment)
    query = evidence_query(commitment, since, signal).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [evidence_dict(e) for e in session.scalars(query).unique()]


# --- publications -------------------------------------------------------------------


def publication_dict(p: Publication, with_body: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": p.url,
        "source": p.source.slug,
        "title": p.title,
        "published_at": dated(p.published_at, p.date_precision),
        "date_precision": p.date_precision,
        "modified_at": iso(p.modified_at),
        "language": p.language,
        "summary": p.summary,
        "tags": list(p.tags),
        "first_seen_at": iso(p.first_seen_at),
        "fetched_via": p.fetched_via,
        "extracted_by": p.extracted_by,
        "revisions": len(p.revisions),
    }
    if with_body:
        data["body"] = p.body
    return data


def publications_query(
    session: Session,
    source: str | None = None,
    since: datetime | None = None,
    search: str | None = None,
) -> Select[tuple[Publication]]:
    query = (
        select(Publication)
        .join(Publication.source)
        .options(joinedload(Publication.source))
        .order_by(Publication.published_at.desc().nulls_last(), Publication.id.desc())
    )
    if source:
        query = query.where(Source.slug == source)
    if since is not None:
        query = query.where(Publication.published_at >= since)
    if search:
        ids = matching_ids(session, search)
        if ids is not None:
            query = query.where(Publication.id.in_(ids))
    return query


def list_publications(
    session: Session,
    source: str | None = None,
    since: datetime | None = None,
    search: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if source and session.scalar(select(Source.id).where(Source.slug == source)) is None:
        raise NotFound(f"no source with slug {source!r}")
    query = publications_query(session, source, since, search).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [publication_dict(p) for p in session.scalars(query).unique()]


def get_publication(session: Session, url: str) -> Publication:
    publication = session.scalar(select(Publication).where(Publication.url == url))
    if publication is None:
        raise NotFound(f"no publication stored at {url}")
    return publication


# --- sources ------------------------------------------------------------------------


def crawl_run_dict(run: CrawlRun) -> dict[str, Any]:
    health = run_health(run)
    return {
        "id": run.id,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "status": run.status,
        "mode": run.mode,
        "requests": run.requests,
        "pages": run.pages,
        "new": run.new,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "not_modified": run.not_modified,
        "errors": run.errors,
        "fallback_extractions": run.fallback_extractions,
        "refused": run.refused,
        "outside_patterns": run.outside_patterns,
        "error_summary": run.error_summary,
        "health": health.word,
        "health_reasons": list(health.reasons),
    }


def last_run(session: Session, source_id: int) -> CrawlRun | None:
    return session.scalar(
        select(CrawlRun)
        .where(CrawlRun.source_id == source_id)
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(1)
    )


def source_health(last: CrawlRun | None) -> str:
    """'ok', 'degraded', 'failing', 'running' or 'never crawled' (storage.health)."""
    return run_health(last).word


def list_sources(session: Session) -> list[dict[str, Any]]:
    """Each source with its last crawl run, its health and the reasons for it."""
    result = []
    for source in session.scalars(select(Source).order_by(Source.id)):
        last = last_run(session, source.id)
        count = session.scalar(select(func.count(Publication.id)).where(Publication.source_id == source.id))
        health = run_health(last)
        result.append(
            {
                "slug": source.slug,
                "name": source.name,
                "homepage": source.homepage,
                "enabled": source.enabled,
                "publications": count or 0,
                "health": health.word,
                "health_reasons": list(health.reasons),
                "last_run": crawl_run_dict(last) if last else None,
            }
        )
    return result
