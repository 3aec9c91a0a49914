"""Read queries the web app needs beyond `storage.queries`: pages, timelines, feeds, CSV rows.

The web package may not import SQLAlchemy, so everything that builds a query for it
lives here and returns JSON-ready dicts (ISO strings for dates), like `storage.queries`.
Every listing is ordered on a unique tie-breaker (the id), so pages never overlap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, text
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from storage import migrate
from storage.db import get_engine
from storage.errors import DATABASE_ERRORS, describe
from storage.models import Commitment, Evidence, Publication, Source, StatusChange
from storage.queries import (
    commitment_summary,
    evidence_dict,
    evidence_query,
    get_commitment,
    iso,
    list_commitments,
    publication_dict,
    status_change_dict,
)
from storage.search import newest_first, newest_matching_ids

__all__ = [
    "commitment_page",
    "commitment_with_history",
    "commitment_rows",
    "evidence_csv_rows",
    "evidence_page",
    "feed_entries",
    "filter_options",
    "last_evidence",
    "open_proposals",
    "publications_page",
    "readiness",
]


def _stats_of(session: Session, commitment_id: int) -> tuple[int, datetime | None]:
    """`_evidence_stats` for one commitment only (the global one scans all evidence).

    The count reads the evidence alone; the date is the newest evidence's, found through
    the date index rather than by joining every piece of evidence to its publication.
    """
    counted = Evidence.commitment_id == commitment_id, Evidence.review_state != "rejected"
    count = session.scalar(select(func.count(Evidence.id)).where(*counted))
    if not count:
        return 0, None
    newest = newest_first(
        session,
        select(Evidence.id, Publication.published_at)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(*counted),
        Publication.published_at,
        Evidence.id,
        0,
        1,
    )
    return int(count), newest[0][1] if newest else None


def _evidence_ids(
    session: Session, where: list[ColumnElement[bool]], offset: int, limit: int
) -> list[tuple[int, datetime | None]]:
    """(id, publication date) of non-rejected evidence, newest publication first, then id.

    Only ids and dates are sorted; the rows themselves are loaded by `_load_evidence`.
    """
    query: Select[Any] = (
        select(Evidence.id, Publication.published_at)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(Evidence.review_state != "rejected", *where)
    )
    rows = newest_first(session, query, Publication.published_at, Evidence.id, offset, limit)
    return [(row[0], row[1]) for row in rows]


def _load_evidence(session: Session, ids: list[int]) -> list[Evidence]:
    """The evidence rows with these ids, in the order given, with what `evidence_dict` reads."""
    if not ids:
        return []
    query = (
        select(Evidence)
        .where(Evidence.id.in_(ids))
        .options(
            joinedload(Evidence.publication).options(defer(Publication.body), joinedload(Publication.source)),
            joinedload(Evidence.commitment),
        )
    )
    found = {e.id: e for e in session.scalars(query).unique()}
    return [found[i] for i in ids if i in found]


def _evidence_filters(
    session: Session, commitment: str | None, signal: str | None, since: datetime | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if commitment:
        where.append(Evidence.commitment_id == get_commitment(session, commitment).id)
    if signal:
        where.append(Evidence.signal == signal)
    if since is not None:
        where.append(Publication.published_at >= since)
    return where


def _page(rows: list[Any], per_page: int) -> tuple[list[Any], bool]:
    """Rows fetched with limit per_page + 1: the page, and whether another follows."""
    return rows[:per_page], len(rows) > per_page


# --- dashboard ----------------------------------------------------------------------


def last_evidence(session: Session) -> dict[str, dict[str, Any]]:
    """The newest non-rejected evidence of each commitment (by publication date), in one query."""
    rank = (
        func.row_number()
        .over(
            partition_by=Evidence.commitment_id,
            order_by=(Publication.published_at.desc().nulls_last(), Evidence.id.desc()),
        )
        .label("rank")
    )
    inner = (
        select(
            Commitment.slug,
            Evidence.signal,
            Evidence.created_at,
            Publication.title,
            Publication.url,
            Publication.published_at,
            Source.slug.label("source"),
            rank,
        )
        .join(Publication, Publication.id == Evidence.publication_id)
        .join(Source, Source.id == Publication.source_id)
        .join(Commitment, Commitment.id == Evidence.commitment_id)
        .where(Evidence.review_state != "rejected")
        .subquery()
    )
    rows = session.execute(select(inner).where(inner.c.rank == 1)).mappings()
    return {
        row["slug"]: {
            "title": row["title"],
            "url": row["url"],
            "source": row["source"],
            "signal": row["signal"],
            "published_at": iso(row["published_at"]),
            "found_at": iso(row["created_at"]),
        }
        for row in rows
    }


def commitment_rows(
    session: Session, status: str | None = None, theme: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """`list_commitments` plus each commitment's last evidence (None when it has none)."""
    rows = list_commitments(session, status=status, theme=theme, actor=actor)
    latest = last_evidence(session) if rows else {}
    for row in rows:
        row["last_evidence"] = latest.get(row["slug"])
    return rows


def filter_options(session: Session) -> dict[str, list[Any]]:
    """The values the dashboard and search filters offer: actors and sources as stored."""
    actors: set[str] = set()
    for commitment_actors in session.scalars(select(Commitment.actors)):
        actors.update(commitment_actors)
    sources = [
        {"slug": slug, "name": name}
        for slug, name in session.execute(select(Source.slug, Source.name).order_by(Source.id))
    ]
    return {"actors": sorted(actors, key=str.casefold), "sources": sources}


# --- one commitment -----------------------------------------------------------------


def _evidence_date(e: Evidence) -> datetime | None:
    return e.publication.published_at


def commitment_page(session: Session, slug: str, page: int = 1, per_page: int = 30) -> dict[str, Any]:
    """A commitment, its status history, and one page of a timeline merging evidence and status changes.

    Evidence is paged (a commitment may gather thousands); each status change appears on
    exactly one page: the one whose evidence dates bracket it.
    """
    c = get_commitment(session, slug)
    stats = _stats_of(session, c.id)
    history = list(
        session.scalars(
            select(StatusChange)
            .where(StatusChange.commitment_id == c.id)
            .order_by(StatusChange.changed_at, StatusChange.id)
            .options(
                joinedload(StatusChange.evidence).joinedload(Evidence.publication),
                joinedload(StatusChange.commitment),
            )
        )
    )
    offset = (page - 1) * per_page
    bounded_above = page > 1
    # One sorted read of ids and dates: the previous page's last row (for the bracket), this
    # page, and one more (to know whether another page follows).
    keys = _evidence_ids(
        session,
        [Evidence.commitment_id == c.id],
        offset - 1 if bounded_above else 0,
        per_page + 1 + bounded_above,
    )
    previous_key = keys.pop(0) if bounded_above and keys else None
    page_keys, has_next = _page(keys, per_page)
    evidence = _load_evidence(session, [key for key, _ in page_keys])

    # Status changes in (lower, upper]: upper is the last date of the previous page.
    upper: datetime | None = previous_key[1] if previous_key is not None else None
    lower = page_keys[-1][1] if has_next and page_keys else None

    def on_this_page(at: datetime) -> bool:
        if bounded_above and (upper is None or at > upper):
            return False
        return lower is None or at > lower

    items: list[tuple[datetime | None, int, dict[str, Any]]] = []
    for e in evidence:
        items.append((_evidence_date(e), 0, {"kind": "evidence", **evidence_dict(e)}))
    for s in history:
        if on_this_page(s.changed_at):
            items.append((s.changed_at, 1, {"kind": "status", **status_change_dict(s)}))
    items.sort(key=lambda item: (item[0] is None, -(item[0].timestamp() if item[0] else 0), item[1]))

    detail = commitment_summary(c, stats, history[-1].changed_at if history else None)
    detail.update(
        {
            "description": {"fr": c.description_fr, "en": c.description_en},
            "deadline_note": {"fr": c.deadline_note_fr, "en": c.deadline_note_en}
            if c.deadline_note_fr or c.deadline_note_en
            else None,
            "history": [status_change_dict(s) for s in history],
            "timeline": [item for _, _, item in items],
            "page": page,
            "per_page": per_page,
            "has_next": has_next,
        }
    )
    return detail


def commitment_with_history(session: Session, slug: str, evidence_limit: int = 20) -> dict[str, Any]:
    """`commitment_detail` for the API: the full status history but only the newest evidence.

    The rest of the evidence is paged through `evidence_page(commitment=slug)`.
    """
    c = get_commitment(session, slug)
    stats = _stats_of(session, c.id)
    history = list(
        session.scalars(
            select(StatusChange)
            .where(StatusChange.commitment_id == c.id)
            .order_by(StatusChange.changed_at, StatusChange.id)
            .options(
                joinedload(StatusChange.evidence).joinedload(Evidence.publication),
                joinedload(StatusChange.commitment),
            )
        )
    )
    detail = commitment_summary(c, stats, history[-1].changed_at if history else None)
    keys = _evidence_ids(session, [Evidence.commitment_id == c.id], 0, evidence_limit)
    evidence = _load_evidence(session, [key for key, _ in keys])
    detail.update(
        {
            "description": {"fr": c.description_fr, "en": c.description_en},
            "deadline_note": {"fr": c.deadline_note_fr, "en": c.deadline_note_en}
            if c.deadline_note_fr or c.deadline_note_en
            else None,
            "history": [status_change_dict(s) for s in history],
            "evidence": [evidence_dict(e) for e in evidence],
        }
    )
    return detail


# --- evidence and publications -----------------------------------------------------


def evidence_page(
    session: Session,
    commitment: str | None = None,
    signal: str | None = None,
    since: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict[str, Any]], bool]:
    """One page of evidence (newest publication first, then id): the rows and whether more follow."""
    where = _evidence_filters(session, commitment, signal, since)
    keys, has_next = _page(_evidence_ids(session, where, (page - 1) * per_page, per_page + 1), per_page)
    return [evidence_dict(e) for e in _load_evidence(session, [key for key, _ in keys])], has_next


def publications_page(
    session: Session,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[dict[str, Any]], bool]:
    """One page of publications (newest first, then id), full-text searched when `search` is given.

    An unknown source gives an empty page (a filter, not a lookup). Ids are found first
    (through the date index, or the full-text index: `storage.search`), then the page's
    rows are loaded.
    """
    where: list[ColumnElement[bool]] = []
    if source:
        where.append(
            Publication.source_id == select(Source.id).where(Source.slug == source).scalar_subquery()
        )
    if since is not None:
        where.append(Publication.published_at >= since)
    if until is not None:
        where.append(Publication.published_at < until)
    offset, limit = (page - 1) * per_page, per_page + 1
    ids = newest_matching_ids(session, search, where, offset, limit) if search else None
    if ids is None:  # no search, or no words in it
        query = select(Publication.id).where(*where)
        ids = [
            row[0]
            for row in newest_first(session, query, Publication.published_at, Publication.id, offset, limit)
        ]
    ids, has_next = _page(ids, per_page)
    if not ids:
        return [], has_next
    loaded = session.scalars(
        select(Publication)
        .where(Publication.id.in_(ids))
        .options(defer(Publication.body), joinedload(Publication.source), selectinload(Publication.revisions))
    ).unique()
    found = {p.id: p for p in loaded}
    return [publication_dict(found[i]) for i in ids if i in found], has_next


def evidence_csv_rows(
    session: Session,
    commitment: str | None = None,
    signal: str | None = None,
    since: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching evidence row, flat (for CSV), streamed in batches."""
    if commitment:
        get_commitment(session, commitment)
    query = evidence_query(commitment, since, signal).execution_options(yield_per=1000)
    for e in session.scalars(query):
        data = evidence_dict(e)
        publication = data.pop("publication")
        yield {
            "id": data["id"],
            "commitment": data["commitment"],
            "signal": data["signal"],
            "score": data["score"],
            "review_state": data["review_state"],
            "proposed_status": data["proposed_status"],
            "publication_title": publication["title"],
            "publication_url": publication["url"],
            "source": publication["source"],
            "published_at": publication["published_at"],
            "excerpt": data["excerpt"],
            "matched_terms": " | ".join(data["matched_terms"]),
            "created_at": data["created_at"],
        }


def open_proposals(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """Unreviewed evidence that proposes a status change, oldest first (the review queue)."""
    query = (
        select(Evidence)
        .options(
            joinedload(Evidence.publication).joinedload(Publication.source),
            joinedload(Evidence.commitment),
        )
        .where(Evidence.review_state == "unreviewed", Evidence.proposed_status.is_not(None))
        .order_by(Evidence.created_at, Evidence.id)
        .limit(limit)
    )
    proposals = []
    for e in session.scalars(query).unique():
        data = evidence_dict(e)
        data["commitment_title"] = {"fr": e.commitment.title_fr, "en": e.commitment.title_en}
        data["current_status"] = e.commitment.status
        proposals.append(data)
    return proposals


# --- feed ---------------------------------------------------------------------------


def feed_entries(
    session: Session, commitment: str | None = None, theme: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest evidence found and status changes made, merged newest first."""
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
        .order_by(StatusChange.changed_at.desc(), StatusChange.id.desc())
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
        entries.append(
            (
                e.created_at,
                {
                    "kind": "evidence",
                    "id": e.id,
                    "updated": iso(max(e.created_at, e.updated_at)),
                    "published": iso(e.created_at),
                    "commitment": {
                        "slug": e.commitment.slug,
                        "title_fr": e.commitment.title_fr,
                        "title_en": e.commitment.title_en,
                    },
                    **{k: v for k, v in evidence_dict(e).items() if k != "commitment"},
                },
            )
        )
    for s in session.scalars(changes_q).unique():
        entries.append(
            (
                s.changed_at,
                {
                    "kind": "status",
                    "id": s.id,
                    "updated": iso(s.changed_at),
                    "published": iso(s.changed_at),
                    "commitment": {
                        "slug": s.commitment.slug,
                        "title_fr": s.commitment.title_fr,
                        "title_en": s.commitment.title_en,
                    },
                    **{k: v for k, v in status_change_dict(s).items() if k != "commitment"},
                },
            )
        )
    entries.sort(key=lambda item: item[0], reverse=True)
    return [entry for _, entry in entries[:limit]]


def commitments_updated(session: Session) -> str | None:
    """When the commitments last changed: the feed's `updated` when it has no entry."""
    return iso(session.scalar(select(func.max(Commitment.updated_at))))


# --- health -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _head() -> str:
    return migrate.head_revision()


def readiness(url: str | None = None) -> tuple[bool, str]:
    """(ready, why): the database answers and is migrated to the newest revision."""
    try:
        engine = get_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(engine)
    except DATABASE_ERRORS as exc:
        return False, f"database unreachable: {describe(exc)}"
    if current != _head():
        return (
            False,
            f"database at revision {current or 'none'}, code expects {_head()}: run `summitwatch db upgrade`",
        )
    return True, f"database reachable, schema at {current}"
