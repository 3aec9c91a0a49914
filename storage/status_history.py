"""The status history of the commitments, for exports (CSV, JSON, Atom) and citations.

Analysts quote "what stood where, since when, on what evidence": every row names the
commitment, both statuses, the day, who decided, and the publication behind it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.evidence import get_evidence
from storage.models import Commitment, Evidence, Publication, StatusChange
from storage.queries import get_commitment, iso

__all__ = ["HISTORY_FIELDS", "commitment_citation", "evidence_citation", "status_history"]

HISTORY_FIELDS = [
    "commitment",
    "title_fr",
    "title_en",
    "theme",
    "old_status",
    "new_status",
    "changed_at",
    "changed_by",
    "note",
    "evidence_title",
    "evidence_url",
    "id",
]


def status_history(
    session: Session,
    commitment: str | None = None,
    theme: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every status change matching the filters, oldest first (then by id); `until` is exclusive."""
    if commitment:
        get_commitment(session, commitment)  # an unknown slug is a NotFound, not an empty export
    query = (
        select(StatusChange)
        .join(StatusChange.commitment)
        .options(
            joinedload(StatusChange.commitment),
            joinedload(StatusChange.evidence).joinedload(Evidence.publication),
        )
        .order_by(StatusChange.changed_at, StatusChange.id)
    )
    if commitment:
        query = query.where(Commitment.slug == commitment)
    if theme:
        query = query.where(Commitment.theme == theme)
    if since is not None:
        query = query.where(StatusChange.changed_at >= since)
    if until is not None:
        query = query.where(StatusChange.changed_at < until)
    rows = []
    for s in session.scalars(query).unique():
        publication = s.evidence.publication if s.evidence is not None else None
        rows.append(
            {
                "id": s.id,
                "commitment": s.commitment.slug,
                "title_fr": s.commitment.title_fr,
                "title_en": s.commitment.title_en,
                "theme": s.commitment.theme,
                "old_status": s.old_status,
                "new_status": s.new_status,
                "changed_at": iso(s.changed_at),
                "changed_by": s.changed_by,
                "note": s.note,
                "evidence_title": publication.title if publication is not None else None,
                "evidence_url": publication.url if publication is not None else None,
            }
        )
    return rows


def commitment_citation(session: Session, slug: str) -> dict[str, Any]:
    """What a citation of a commitment states: its titles, status and since when, its source text."""
    c = get_commitment(session, slug)
    since = session.scalar(
        select(StatusChange.changed_at)
        .where(StatusChange.commitment_id == c.id)
        .order_by(StatusChange.changed_at.desc(), StatusChange.id.desc())
        .limit(1)
    )
    return {
        "kind": "commitment",
        "slug": c.slug,
        "title": {"fr": c.title_fr, "en": c.title_en},
        "status": c.status,
        "status_since": iso(since),
        "made_on": iso(c.made_on),
        "actors": list(c.actors),
        "source_url": c.source_url,
    }


def evidence_citation(session: Session, evidence_id: int) -> dict[str, Any]:
    """What a citation of a piece of evidence states: the publication, and what it is evidence of."""
    e = get_evidence(session, evidence_id)
    p: Publication = e.publication
    return {
        "kind": "evidence",
        "id": e.id,
        "title": p.title,
        "url": p.url,
        "source": p.source.slug,
        "source_name": p.source.name,
        "published_at": iso(p.published_at),
        "date_precision": p.date_precision,
        "language": p.language,
        "signal": e.signal,
        "excerpt": e.excerpt,
        "review_state": e.review_state,
        "commitment": {
            "slug": e.commitment.slug,
            "title": {"fr": e.commitment.title_fr, "en": e.commitment.title_en},
            "status": e.commitment.status,
        },
        "found_at": iso(e.created_at),
    }
