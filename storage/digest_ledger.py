"""Which digest carried which piece of evidence: each goes out in one digest only.

A period's digest holds the evidence of publications published in it, plus late finds
(found in it, published earlier). The same evidence can therefore belong to two periods
(its publication's, and the one it was found in); the first digest sent claims it, and
every other digest leaves it out, so no subscriber reads it twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Digest, DigestEvidence, utcnow


def claimed_elsewhere(session: Session, period: str) -> dict[int, str]:
    """Evidence id → the period of the other digest that already carried it."""
    rows = session.execute(
        select(DigestEvidence.evidence_id, Digest.period)
        .join(Digest, Digest.id == DigestEvidence.digest_id)
        .where(Digest.period != period)
    )
    return dict(rows.tuples().all())


def claim(session: Session, digest_id: int, items: Iterable[tuple[int, bool]]) -> int:
    """Record that this digest carries these (evidence id, late) items; those already claimed stay put.

    Returns how many were newly claimed. Safe against a concurrent claimer: a row another
    digest inserted first keeps its owner.
    """
    wanted = dict(items)
    if not wanted:
        return 0
    taken = set(
        session.scalars(select(DigestEvidence.evidence_id).where(DigestEvidence.evidence_id.in_(wanted)))
    )
    added = 0
    now = utcnow()
    for evidence_id, late in wanted.items():
        if evidence_id in taken:
            continue
        try:
            with session.begin_nested():
                session.add(
                    DigestEvidence(evidence_id=evidence_id, digest_id=digest_id, late=late, claimed_at=now)
                )
        except IntegrityError:
            continue
        added += 1
    return added
