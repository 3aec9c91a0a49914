"""The Atom feed's entries: new evidence and status changes, with the publication's own dates.

An entry's `published` and `updated` are the publication's (its date as the page gave it,
a day as that day's start in Paris; `updated` its modification date when it has one), not
when the crawler found it. An undated publication has no `published`; its `updated`, which
Atom requires, is when it was first seen. Entries still come newest found first: a feed
reader is told what is new.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.dateprecision import PARIS, display_zone, guess_precision, local_day, start_of_day
from storage.models import Commitment, Evidence, Publication, StatusChange
from storage.queries import evidence_dict, get_commitment, status_change_dict


def atom_date(value: datetime | None, precision: str | None) -> str | None:
    """RFC 3339 for Atom: a day-dated page as its midnight in Paris (so the day reads right), else the time."""
    if value is None:
        return None
    if (precision or guess_precision(value)) == "time":
        return value.astimezone(display_zone()).isoformat()
    return start_of_day(local_day(value)).astimezone(PARIS).isoformat()


def _publication_dates(p: Publication) -> tuple[str | None, str]:
    published = atom_date(p.published_at, p.date_precision)
    modified = p.modified_at.astimezone(display_zone()).isoformat() if p.modified_at else None
    updated = max((d for d in (published, modified) if d), default=None, key=datetime.fromisoformat)
    return published, updated or p.first_seen_at.astimezone(display_zone()).isoformat()


def _commitment(c: Commitment) -> dict[str, str]:
    return {"slug": c.slug, "title_fr": c.title_fr, "title_en": c.title_en}


def feed_entries(
    session: Session, commitment: str | None = None, theme: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest evidence found and status changes recorded, merged newest first."""
    if commitment:
        get_commitment(session, commitment)
    evidence_q = (
        select(Evidence)
        .join(Evidence.commitment)
        .options(
            joinedload(Evidence.publication).joinedload(Publication.source),
            joinedload(Evidence.commitment),
        )
        .where(Evidence.review_state != "rejected")
        .order_by(Evidence.created_at.desc(), Evidence.id.desc())
        .limit(limit)
    )
    changes_q = (
        select(StatusChange)
        .join(StatusChange.commitment)
        .options(
            joinedload(StatusChange.commitment),
            joinedload(StatusChange.evidence).joinedload(Evidence.publication),
        )
        .order_by(StatusChange.recorded_at.desc(), StatusChange.id.desc())
        .limit(limit)
    )
    if commitment:
        evidence_q = evidence_q.where(Commitment.slug == commitment)
        changes_q = changes_q.where(Commitment.slug == commitment)
    if theme:
        evidence_q = evidence_q.where(Commitment.theme == theme)
        changes_q = changes_q.where(Commitment.theme == theme)
    entries: list[tuple[datetime, dict[str, Any]]] = []
    for e in session.scalars(evidence_q).unique():
        published, updated = _publication_dates(e.publication)
        data = {k: v for k, v in evidence_dict(e).items() if k != "commitment"}
        entry = {"kind": "evidence", "id": e.id, "updated": updated, "published": published, **data}
        entries.append((e.created_at, {**entry, "commitment": _commitment(e.commitment)}))
    for s in session.scalars(changes_q).unique():
        holds = atom_date(s.changed_at, "time")
        data = {k: v for k, v in status_change_dict(s).items() if k != "commitment"}
        entry = {"kind": "status", "id": s.id, "updated": holds, "published": holds, **data}
        entries.append((s.recorded_at, {**entry, "commitment": _commitment(s.commitment)}))
    entries.sort(key=lambda item: item[0], reverse=True)
    return [entry for _, entry in entries[:limit]]
