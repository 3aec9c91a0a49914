"""Why a publication is (or is not) linked to a commitment, term by term."""

from __future__ import annotations

from typing import Any

from storage.db import Session
from storage.evidence import commitments_for_matching, find_evidence, source_languages
from tracker.pipeline import build_matcher, document_of


def explain(session: Session, url: str, slug: str) -> dict[str, Any]:
    """The matcher's reasoning now, beside what is stored (which may predate a baseline edit)."""
    publication, commitment, evidence = find_evidence(session, url, slug)
    matcher = build_matcher(commitments_for_matching(session))
    language = source_languages(session).get(publication.source_id, "fr")
    link = matcher.match(document_of(publication, language), only=[slug])[0]
    return {
        "url": publication.url,
        "title": publication.title,
        "commitment": commitment.slug,
        "linked": link.linked,
        "excerpt": link.excerpt,
        **link.explanation(matcher.threshold),
        "stored": None
        if evidence is None
        else {
            "id": evidence.id,
            "score": round(evidence.score, 4),
            "signal": evidence.signal,
            "review_state": evidence.review_state,
            "proposed_status": evidence.proposed_status,
            "reviewed_by": evidence.reviewed_by,
        },
    }
