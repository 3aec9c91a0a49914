"""Status changes: the one way a commitment's status moves.

The status of a commitment is the last `status_changes` row; the `status`
column on `commitments` is a copy kept in step here, in the same transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.clean_text import clean_line, clean_text
from storage.models import STATUSES, Commitment, Evidence, StatusChange, utcnow


class StatusError(ValueError):
    """A status change that cannot be made; the message says why."""


def set_status(
    session: Session,
    commitment: Commitment,
    new_status: str,
    changed_by: str,
    note: str | None = None,
    evidence: Evidence | None = None,
) -> StatusChange | None:
    """Record a move to `new_status`; None when it already has that status."""
    changed_by = clean_line(changed_by)
    note = clean_text(note).strip() or None if note is not None else None
    if new_status not in STATUSES:
        raise StatusError(f"unknown status {new_status!r}; one of: {', '.join(STATUSES)}")
    if not changed_by.strip():
        raise StatusError("a status change needs who made it")
    if evidence is not None and evidence.commitment_id != commitment.id:
        raise StatusError("the evidence given belongs to another commitment")
    if commitment.status == new_status:
        return None
    change = StatusChange(
        commitment_id=commitment.id,
        old_status=commitment.status,
        new_status=new_status,
        evidence_id=evidence.id if evidence is not None else None,
        changed_at=utcnow(),
        changed_by=changed_by,
        note=note,
    )
    commitment.status = new_status
    commitment.updated_at = change.changed_at
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
) -> StatusChange | None:
    """A reviewer's decision; the publication at `evidence_url` becomes accepted evidence."""
    from storage.evidence import link_between
    from storage.queries import get_commitment, get_publication

    commitment = get_commitment(session, slug)
    evidence = None
    if evidence_url:
        publication = get_publication(session, evidence_url)
        evidence = link_between(session, publication.id, commitment.id)
        if evidence is None:
            evidence = Evidence(
                commitment_id=commitment.id,
                publication_id=publication.id,
                score=1.0,
                signal="mention",
                excerpt="",
                matched_terms=[],
                explanation={"added_by": changed_by},
            )
            session.add(evidence)
        evidence.review_state = "accepted"
        evidence.reviewed_by = changed_by
        evidence.reviewed_at = utcnow()
        session.flush()
    return set_status(session, commitment, new_status, changed_by=changed_by, note=note, evidence=evidence)
