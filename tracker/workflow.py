"""The status workflow: signals propose, reviewers (or the auto rule) decide.

not_rated → in_progress → achieved / partially_achieved / stalled / broken. A
proposal is only made when it would move the commitment; it is recorded on the
evidence and applied by `review_proposal` (CLI and web share it) or, above
`tracker.auto_apply_above`, at once with `by = auto`.
"""

from __future__ import annotations

from storage.clean_text import clean_line, clean_text
from storage.db import Session
from storage.evidence import get_evidence, other_open_proposals
from storage.models import Evidence, StatusChange, utcnow
from storage.status import StatusError, set_status

AUTO = "auto"
FINAL = frozenset({"achieved", "broken"})


class ReviewError(StatusError):
    """A review decision that cannot be made; the message says why."""


def propose(signal: str, current: str, breaks: bool = False, background: bool = False) -> str | None:
    """The status a signal argues for, or None when it would not move the commitment."""
    if background or signal == "mention":
        return None
    if signal == "achieved":
        target = "achieved"
    elif signal == "progress":
        target = "in_progress"
        if current not in ("not_rated", "stalled"):
            return None
    elif signal == "setback":
        target = "broken" if breaks else "stalled"
        if current in FINAL and not breaks:
            return None
    else:
        return None
    return None if target == current else target


def _decide(evidence: Evidence, state: str, reviewer: str, note: str | None) -> None:
    evidence.review_state = state
    evidence.reviewed_by = clean_line(reviewer)
    evidence.reviewed_at = utcnow()
    evidence.review_note = clean_text(note).strip() or None if note is not None else None
    evidence.updated_at = evidence.reviewed_at


def apply_proposal(
    session: Session, evidence: Evidence, reviewer: str, note: str | None = None
) -> StatusChange | None:
    """Apply the proposal: the status moves, the evidence is accepted, duplicates are settled."""
    if evidence.proposed_status is None:
        raise ReviewError(f"evidence {evidence.id} proposes no status change")
    change = set_status(
        session,
        evidence.commitment,
        evidence.proposed_status,
        changed_by=reviewer,
        note=note,
        evidence=evidence,
    )
    _decide(evidence, "accepted", reviewer, note)
    for other in other_open_proposals(session, evidence):
        other.proposed_status = None  # the move they argued for is made; they stay as evidence
    session.flush()
    return change


def reject(session: Session, evidence: Evidence, reviewer: str, note: str | None = None) -> None:
    """Reject the link: it stays rejected, also after any rematch."""
    _decide(evidence, "rejected", reviewer, note)
    session.flush()


def review_proposal(
    session: Session, evidence_id: int, *, accept: bool, reviewer: str, note: str | None = None
) -> StatusChange | None:
    """One reviewer's decision on one open proposal."""
    if not reviewer.strip():
        raise ReviewError("a review needs the reviewer's name")
    evidence = get_evidence(session, evidence_id)
    if evidence.review_state != "unreviewed":
        raise ReviewError(
            f"evidence {evidence_id} was already {evidence.review_state} by {evidence.reviewed_by}"
        )
    if accept:
        return apply_proposal(session, evidence, reviewer.strip(), note)
    reject(session, evidence, reviewer.strip(), note)
    return None
