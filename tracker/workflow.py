"""The status workflow: signals propose, reviewers (or the auto rule) decide.

The rule itself is tracker.status_rule. A proposal is only made when it would move
the commitment; it is recorded on the evidence and applied by `review_proposal` (CLI
and web share it) or, at or above `tracker.auto_apply_above`, at once with `by = auto`.
The status then holds from the evidence's publication date.
"""

from __future__ import annotations

from datetime import datetime

from storage.clean_text import clean_line, clean_text
from storage.dateprecision import PARIS
from storage.db import Session
from storage.evidence import get_evidence, open_proposals_of
from storage.models import Commitment, Evidence, StatusChange, utcnow
from storage.status import StatusError, evidence_date, holds_from, set_status
from tracker.deadline_rule import apply_deadline_rule
from tracker.status_rule import FINAL, propose, reason

AUTO = "auto"
__all__ = ["AUTO", "FINAL", "ReviewError", "apply_proposal", "propose", "reject", "review_proposal"]


class ReviewError(StatusError):
    """A review decision that cannot be made; the message says why."""


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
    if evidence.publication.published_at is None:
        raise ReviewError(
            f"evidence {evidence.id} is undated: it cannot date a status; "
            "set it by hand with `status set SLUG STATUS --evidence URL --since DAY`"
        )
    since = holds_from(session, evidence.commitment_id)
    if since is not None and evidence_date(evidence) < since:
        raise ReviewError(
            f"evidence {evidence.id} was published before the evidence the status holds on "
            f"({since.date().isoformat()}): it cannot move it; set the status by hand if it should"
        )
    change = set_status(
        session,
        evidence.commitment,
        evidence.proposed_status,
        changed_by=reviewer,
        note=reason(evidence.proposed_status, evidence.signal, evidence.cue, note),
        evidence=evidence,
    )
    _decide(evidence, "accepted", reviewer, note)
    refresh_proposals(session, evidence.commitment)
    return change


def still_proposes(evidence: Evidence, status: str, since: datetime | None) -> str | None:
    """What an open proposal argues for once the status is `status` (holding from `since`).

    Evidence older than the evidence the status holds on cannot move it: newer news wins.
    An undated publication cannot date a status, so it proposes nothing (a reviewer can set
    the status by hand, giving the day with `--since`).
    """
    if evidence.publication.published_at is None:
        return None
    if since is not None and evidence_date(evidence) < since:
        return None
    breaks = evidence.proposed_status == "broken"
    return propose(evidence.signal, status, breaks, evidence.background)


def refresh_proposals(session: Session, commitment: Commitment) -> None:
    """Re-read the commitment's open proposals after its status moved; moot ones are withdrawn."""
    session.flush()
    since = holds_from(session, commitment.id)
    for other in open_proposals_of(session, commitment.id):
        other.proposed_status = still_proposes(other, commitment.status, since)
    session.flush()


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


def apply_all(
    session: Session,
    reviewer: str,
    note: str | None = None,
    min_score: float = 0.0,
    signals: frozenset[str] = frozenset({"progress", "achieved", "setback"}),
    deadlines: bool = True,
) -> list[StatusChange]:
    """Accept every open proposal, oldest publication first, so each status holds from the first evidence.

    Proposals are re-read after each step: once a commitment is in progress, later
    progress evidence no longer proposes it (it stays evidence, unreviewed). Then deadlines
    passed with no progress stall their commitments (tracker.deadline_rule).
    """
    from storage.evidence import open_proposal_ids_by_date

    changes: list[StatusChange] = []
    for evidence_id in open_proposal_ids_by_date(session):
        evidence = get_evidence(session, evidence_id)
        if evidence.review_state != "unreviewed" or evidence.proposed_status is None:
            continue
        if evidence.score < min_score or evidence.signal not in signals:
            continue
        since = holds_from(session, evidence.commitment_id)
        now_proposed = still_proposes(evidence, evidence.commitment.status, since)
        if now_proposed is None:
            evidence.proposed_status = None
            continue
        evidence.proposed_status = now_proposed
        change = apply_proposal(session, evidence, reviewer, note)
        if change is not None:
            changes.append(change)
    if deadlines:
        changes += apply_deadline_rule(session, datetime.now(PARIS).date(), by=reviewer)
    session.flush()
    return changes
