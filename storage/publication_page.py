"""One publication as the web page shows it: its text, the commitments it is evidence for, its versions.

Versions are numbered from 1 (the first stored) to N (the current text); each says when it
was seen. A commitment whose matched words were on an earlier version but are gone from the
current text is flagged: the page that was evidence may no longer say so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.models import Publication
from storage.publication_detail import find_publication
from storage.queries import iso

__all__ = ["publication_page"]


def _versions(p: Publication) -> list[dict[str, Any]]:
    """Oldest first; the last is the current text."""
    versions = [
        {
            "number": n,
            "title": r.title,
            "body": r.body,
            "seen_from": iso(r.seen_from),
            "until": iso(r.replaced_at),
            "current": False,
        }
        for n, r in enumerate(p.revisions, 1)
    ]
    versions.append(
        {
            "number": len(versions) + 1,
            "title": p.title,
            "body": p.body,
            "seen_from": iso(p.changed_at),
            "until": None,
            "current": True,
        }
    )
    return versions


def _lost_terms(terms: list[str], versions: list[dict[str, Any]]) -> list[str]:
    """Matched terms an earlier version had and the current one lacks (case ignored)."""
    current = (versions[-1]["title"] + "\n" + versions[-1]["body"]).casefold()
    earlier = " ".join((v["title"] + "\n" + v["body"]).casefold() for v in versions[:-1])
    return [term for term in terms if term.casefold() in earlier and term.casefold() not in current]


def publication_page(session: Session, url: str) -> dict[str, Any]:
    """The publication, its evidence (with each commitment's titles and status), and its versions."""
    p = find_publication(session, url)
    versions = _versions(p)
    evidence = []
    for e in sorted(p.evidence, key=lambda e: (-e.score, e.id)):
        if e.review_state == "rejected":
            continue
        evidence.append(
            {
                "id": e.id,
                "signal": e.signal,
                "score": round(e.score, 4),
                "excerpt": e.excerpt,
                "matched_terms": list(e.matched_terms),
                "review_state": e.review_state,
                "lost_terms": _lost_terms(list(e.matched_terms), versions) if len(versions) > 1 else [],
                "commitment": {
                    "slug": e.commitment.slug,
                    "title": {"fr": e.commitment.title_fr, "en": e.commitment.title_en},
                    "status": e.commitment.status,
                },
            }
        )
    return {
        "url": p.url,
        "title": p.title,
        "source": p.source.slug,
        "source_name": p.source.name,
        "published_at": iso(p.published_at),
        "date_precision": p.date_precision,
        "modified_at": iso(p.modified_at),
        "language": p.language,
        "summary": p.summary,
        "body": p.body,
        "first_seen_at": iso(p.first_seen_at),
        "evidence": evidence,
        "versions": versions,
    }
