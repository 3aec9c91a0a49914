"""The events worth an alert, read from what the tracker and the crawler wrote.

- a setback: evidence with signal `setback`, not rejected, new (or whose page changed
  and now reads as a setback); one per (publication, commitment), whatever its id;
- a status change: each `status_changes` row;
- a source turning failing: its health, read through `storage.queries.list_sources`
  (the one place that says what "failing" means), compared with what the alerts saw
  last time (`alert_observations`): only the turn is an event, not every failing run.

Each event carries its payload as plain data, so a message retried tomorrow says
what it would have said today.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from storage.alerts import QueuedEvent, insert_ignoring_duplicates
from storage.models import AlertObservation, Commitment, Evidence, Publication, StatusChange, utcnow
from storage.queries import list_sources

FAILING = "failing"
UNKNOWN_HEALTH = ("running", "never crawled")  # no verdict yet: keep what was seen before


def _commitment(c: Commitment) -> dict[str, Any]:
    return {"slug": c.slug, "title": {"fr": c.title_fr, "en": c.title_en}, "status": c.status}


def _publication(p: Publication) -> dict[str, Any]:
    return {
        "url": p.url,
        "title": p.title,
        "source": p.source.slug,
        "source_name": p.source.name,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "date_precision": p.date_precision,
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "id": e.id,
        "signal": e.signal,
        "excerpt": e.excerpt,
        "cue": e.cue,
        "score": round(e.score, 3),
        "publication": _publication(e.publication),
    }


def setbacks(
    session: Session,
    since: datetime,
    max_publication_age_days: int | None = None,
    known: Collection[tuple[str, str]] = (),
) -> list[QueuedEvent]:
    """Setback links made since `since`, or re-read as setbacks because their page changed since.

    `known` events (already queued everywhere) are skipped before their rows are loaded,
    so a pass with nothing new costs one narrow query.
    """
    query = (
        select(Evidence.id, Evidence.publication_id, Evidence.commitment_id)
        .join(Evidence.publication)
        .where(
            Evidence.signal == "setback",
            Evidence.review_state != "rejected",
            or_(
                Evidence.created_at >= since,
                and_(Evidence.updated_at >= since, Publication.changed_at >= since),
            ),
        )
    )
    if max_publication_age_days is not None:
        oldest = utcnow() - timedelta(days=max_publication_age_days)
        query = query.where(or_(Publication.published_at.is_(None), Publication.published_at >= oldest))
    wanted = [
        evidence_id
        for evidence_id, publication_id, commitment_id in session.execute(query).tuples()
        if ("setback", f"{publication_id}:{commitment_id}") not in known
    ]
    if not wanted:
        return []
    rows = session.scalars(
        select(Evidence)
        .where(Evidence.id.in_(wanted))
        .options(
            joinedload(Evidence.commitment),
            joinedload(Evidence.publication).joinedload(Publication.source),
        )
        .order_by(Evidence.id)
    )
    events = []
    for e in rows.unique():
        happened = e.created_at if e.created_at >= since else e.updated_at
        events.append(
            QueuedEvent(
                kind="setback",
                subject=f"{e.publication_id}:{e.commitment_id}",
                event_at=happened,
                payload={
                    "summary": f"setback on {e.commitment.slug}: {e.publication.title[:120]}",
                    "commitment": _commitment(e.commitment),
                    "evidence": _evidence(e),
                },
            )
        )
    return events


def status_changes(
    session: Session, since: datetime, known: Collection[tuple[str, str]] = ()
) -> list[QueuedEvent]:
    # recorded_at: a change made today may hold from a months-old publication (changed_at).
    ids = session.scalars(select(StatusChange.id).where(StatusChange.recorded_at >= since))
    wanted = [i for i in ids if ("status_change", str(i)) not in known]
    if not wanted:
        return []
    rows = session.scalars(
        select(StatusChange)
        .where(StatusChange.id.in_(wanted))
        .options(
            joinedload(StatusChange.commitment),
            joinedload(StatusChange.evidence).joinedload(Evidence.publication).joinedload(Publication.source),
        )
        .order_by(StatusChange.id)
    )
    return [
        QueuedEvent(
            kind="status_change",
            subject=str(s.id),
            event_at=s.recorded_at,
            payload={
                "holds_from": s.changed_at.isoformat(),
                "summary": f"{s.commitment.slug}: {s.old_status} -> {s.new_status} (by {s.changed_by})",
                "commitment": _commitment(s.commitment),
                "old_status": s.old_status,
                "new_status": s.new_status,
                "changed_by": s.changed_by,
                "note": s.note,
                "evidence": _evidence(s.evidence) if s.evidence is not None else None,
            },
        )
        for s in rows.unique()
    ]


def failing_sources(session: Session) -> list[QueuedEvent]:
    """Sources whose health turned `failing` since the alerts last looked (or failing when first seen)."""
    events = []
    now = utcnow()
    for source in list_sources(session):
        health = source["health"]
        if health in UNKNOWN_HEALTH or not source["enabled"]:
            continue
        key = f"source-health:{source['slug']}"
        seen = session.get(AlertObservation, key, populate_existing=True)
        if seen is None:
            session.execute(
                insert_ignoring_duplicates(session, AlertObservation.__table__),
                [{"key": key, "value": health, "turns": 0, "changed_at": now}],
            )
            seen = session.get(AlertObservation, key, populate_existing=True)
            assert seen is not None
            turned = health == FAILING and seen.turns == 0
        else:
            turned = health == FAILING and seen.value != FAILING
        if seen.value != health:
            seen.value, seen.changed_at = health, now
        if not turned:
            continue
        seen.turns += 1
        run = source["last_run"] or {}
        happened = _parse(run.get("finished_at")) or _parse(run.get("started_at")) or now
        events.append(
            QueuedEvent(
                kind="source_failing",
                subject=f"{source['slug']}:{seen.turns}",
                event_at=happened,
                payload={
                    "summary": f"source {source['slug']} failing: "
                    + (source["health_reasons"] or [run.get("error_summary") or ""])[0][:160],
                    "source": {
                        "slug": source["slug"],
                        "name": source["name"],
                        "homepage": source["homepage"],
                    },
                    "health": health,
                    "reasons": source["health_reasons"],
                    "error": run.get("error_summary"),
                    "errors": run.get("errors"),
                    "requests": run.get("requests"),
                    "started_at": run.get("started_at"),
                },
            )
        )
    session.flush()
    return events


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def collect(
    session: Session,
    since: datetime,
    kinds: Collection[str],
    *,
    max_publication_age_days: int | None = None,
    known: Collection[tuple[str, str]] = (),
) -> list[QueuedEvent]:
    """Every event of `kinds` since `since` but the `known` ones.

    A setback that moved a status is told once, by its status change.
    """
    told: set[int | None] = set()
    changes: list[QueuedEvent] = []
    if "status_change" in kinds:
        told = set(
            session.scalars(
                select(StatusChange.evidence_id).where(
                    StatusChange.recorded_at >= since, StatusChange.evidence_id.is_not(None)
                )
            )
        )
        changes = status_changes(session, since, known)
    found = [
        e
        for e in (setbacks(session, since, max_publication_age_days, known) if "setback" in kinds else [])
        if e.payload["evidence"]["id"] not in told
    ]
    found += changes
    if "source_failing" in kinds:
        found += failing_sources(session)
    else:
        failing_sources(session)  # keep the observations current, so enabling the kind later starts clean
    return sorted(found, key=lambda e: (e.event_at, e.kind, e.subject))
