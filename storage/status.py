"""Status changes: the one way a commitment's status moves.

The status of a commitment is the last `status_changes` row; the `status`
column on `commitments` is a copy kept in step here, in the same transaction.
A change holds from the date of the evidence that moved it (`changed_at`), not
from the day someone applied it (`recorded_at`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clean_text import clean_line, clean_text
from storage.models import STATUSES, Commitment, Evidence, StatusChange, utcnow

# A page dated by a day is stored as its Paris midnight: up to a day "ahead" of UTC now is today.
FUTURE_SLACK = timedelta(days=1)


class StatusError(ValueError):
    """A status change that cannot be made; the message says why."""


def evidence_date(evidence: Evidence) -> datetime:
    """The date a status moved by `evidence` holds from: its publication's, else when it was found."""
    publication = evidence.publication
    if publication.published_at is not None:
        return publication.published_at
    return publication.first_seen_at


def holds_from(session: Session, commitment_id: int) -> datetime | None:
    """The date the commitment's current status holds from (its last change), None when never rated."""
    return session.scalar(
        select(StatusChange.changed_at)
        .where(StatusChange.commitment_id == commitment_id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    )


def set_status(
    session: Session,
    commitment: Commitment,
    new_status: str,
    changed_by: str,
    note: str | None = None,
    evidence: Evidence | None = None,
    holds_from: datetime | None = None,
) -> StatusChange | None:
    """Record a move to `new_status`, holding from `holds_from` (default: the evidence's date, else now).

    None when the commitment already has that status.
    """
    changed_by = clean_line(changed_by)
    note = clean_text(note).strip() or None if note is not None else None
    if new_status not in STATUSES:
        raise StatusError(f"unknown status {new_status!r}; one of: {', '.join(STATUSES)}")
    if not changed_by.strip():
        raise StatusError("a status change needs who made it")
    if evidence is not None and evidence.commitment_id != commitment.id:
        raise StatusError("the evidence given belongs to another commitment")
    now = utcnow()
    if holds_from is None:
        holds_from = evidence_date(evidence) if evidence is not None else now
    if holds_from > now + FUTURE_SLACK:
        raise StatusError(f"a status cannot hold from a future date ({holds_from.date().isoformat()})")
    if commitment.status == new_status:
        return None
    change = StatusChange(
        commitment_id=commitment.id,
        old_status=commitment.status,
        new_status=new_status,
        evidence_id=evidence.id if evidence is not None else None,
        changed_at=holds_from,
        recorded_at=now,
        changed_by=changed_by,
        note=note,
    )
    commitment.status = new_status
    commitment.updated_at = now
    session.add(change)
    session.flush()
    return change


def set_status_by_hand(
    session: Session,
    slug: str,
    new_status: str,
    changed_by: str,
    note: str | None = None,
    evidence_url: str | None = None,
    holds_from: datetime | None = None,
) -> StatusChange | None:
    """A reviewer's decision; the publication at `evidence_url` must already be linked to the commitment.

    Everything is checked before anything is written: an unknown status or slug, an unlinked
    (or rejected) publication, a future date each raise, and nothing changes.
    """
    from storage.evidence import link_between
    from storage.queries import get_commitment, get_publication

    if new_status not in STATUSES:
        raise StatusError(f"unknown status {new_status!r}; one of: {', '.join(STATUSES)}")
    commitment = get_commitment(session, slug)
    evidence = None
    if evidence_url:
        publication = get_publication(session, evidence_url)
        evidence = link_between(session, publication.id, commitment.id)
        if evidence is None or evidence.review_state == "rejected":
            state = "a rejected link" if evidence is not None else "not linked"
            raise StatusError(
                f"{evidence_url} is {state} to {slug}: only evidence linked to the commitment can move it"
            )
    if holds_from is not None and holds_from > utcnow() + FUTURE_SLACK:
        raise StatusError(f"a status cannot hold from a future date ({holds_from.date().isoformat()})")
    change = set_status(
        session,
        commitment,
        new_status,
        changed_by=changed_by,
        note=note,
        evidence=evidence,
        holds_from=holds_from,
    )
    if evidence is not None:
        evidence.review_state = "accepted"
        evidence.reviewed_by = clean_line(changed_by)
        evidence.reviewed_at = utcnow()
        session.flush()
    return change


def unrated_past_deadline(session: Session, today: date) -> list[Commitment]:
    """Commitments still not rated whose deadline passed before `today` (the deadline rule's candidates)."""
    return list(
        session.scalars(
            select(Commitment)
            .where(
                Commitment.deadline.is_not(None),
                Commitment.deadline < today,
                Commitment.status == "not_rated",
            )
            .order_by(Commitment.id)
        )
    )
