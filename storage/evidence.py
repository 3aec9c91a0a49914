"""Database side of the tracker: what to match, the links it keeps, the review queue.

`publications.matched_hash` records what a publication was last matched as: the
first half of its content hash and the first half of the matcher's fingerprint
(profiles, threshold, matcher version). A publication is pending when either half
differs, so a changed page or an edited baseline is matched again, and a run killed
midway resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from storage.models import MAX_ID, Commitment, Evidence, Publication, Source
from storage.queries import NotFound, get_commitment, get_publication

HALF = 32


def matched_marker(content_hash: str, fingerprint: str) -> str:
    return content_hash[:HALF] + fingerprint[:HALF]


def commitments_for_matching(session: Session) -> list[Commitment]:
    return list(session.scalars(select(Commitment).order_by(Commitment.id)))


def _pending(fingerprint: str, since: datetime | None, rematch: bool) -> Any:
    query = select(Publication)
    if not rematch:
        expected = func.substr(Publication.content_hash, 1, HALF).concat(fingerprint[:HALF])
        query = query.where(or_(Publication.matched_hash.is_(None), Publication.matched_hash != expected))
    if since is not None:
        query = query.where(or_(Publication.published_at >= since, Publication.changed_at >= since))
    return query


def count_pending(session: Session, fingerprint: str, since: datetime | None, rematch: bool) -> int:
    return (
        session.scalar(select(func.count()).select_from(_pending(fingerprint, since, rematch).subquery()))
        or 0
    )


def pending_batch(
    session: Session, fingerprint: str, since: datetime | None, rematch: bool, after_id: int, size: int
) -> list[Publication]:
    """The next `size` publications to match, by id (stable across commits)."""
    query = (
        _pending(fingerprint, since, rematch)
        .options(joinedload(Publication.source))
        .where(Publication.id > after_id)
        .order_by(Publication.id)
        .limit(size)
    )
    return list(session.scalars(query))


def links_of(session: Session, publication_ids: Sequence[int]) -> dict[tuple[int, int], Evidence]:
    """Existing evidence of these publications, by (publication_id, commitment_id)."""
    if not publication_ids:
        return {}
    rows = session.scalars(select(Evidence).where(Evidence.publication_id.in_(publication_ids)))
    return {(e.publication_id, e.commitment_id): e for e in rows}


def source_languages(session: Session) -> dict[int, str]:
    return {s.id: (s.language or "fr") for s in session.scalars(select(Source))}


def get_evidence(session: Session, evidence_id: int) -> Evidence:
    evidence = (
        session.get(
            Evidence,
            evidence_id,
            options=[
                joinedload(Evidence.commitment),
                joinedload(Evidence.publication).joinedload(Publication.source),
            ],
        )
        if 0 < evidence_id <= MAX_ID
        else None
    )
    if evidence is None:
        raise NotFound(f"no evidence with id {evidence_id}")
    return evidence


def link_between(session: Session, publication_id: int, commitment_id: int) -> Evidence | None:
    """The evidence row joining a publication and a commitment, if the two were linked."""
    return session.scalar(
        select(Evidence).where(
            Evidence.publication_id == publication_id, Evidence.commitment_id == commitment_id
        )
    )


def find_evidence(session: Session, url: str, slug: str) -> tuple[Publication, Commitment, Evidence | None]:
    """The publication at `url`, the commitment `slug`, and their link if one was made."""
    publication = get_publication(session, url)
    commitment = get_commitment(session, slug)
    return publication, commitment, link_between(session, publication.id, commitment.id)


def open_proposals_of(session: Session, commitment_id: int) -> list[Evidence]:
    """The commitment's unreviewed evidence that proposes a status change (re-read after a move)."""
    return list(
        session.scalars(
            select(Evidence).where(
                Evidence.commitment_id == commitment_id,
                Evidence.review_state == "unreviewed",
                Evidence.proposed_status.is_not(None),
            )
        )
    )


def count_open_proposals(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Evidence)
            .where(Evidence.review_state == "unreviewed", Evidence.proposed_status.is_not(None))
        )
        or 0
    )


def open_proposal_ids_by_date(session: Session) -> list[int]:
    """Unreviewed evidence proposing a status change, oldest publication first (undated last)."""
    return list(
        session.scalars(
            select(Evidence.id)
            .join(Publication, Publication.id == Evidence.publication_id)
            .where(Evidence.review_state == "unreviewed", Evidence.proposed_status.is_not(None))
            .order_by(Publication.published_at.asc().nulls_last(), Evidence.id)
        )
    )
