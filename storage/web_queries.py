"""Read queries the web app needs beyond `storage.queries`: pages, timelines, feeds, CSV rows.

The web package may not import SQLAlchemy, so everything that builds a query for it
lives here and returns JSON-ready dicts (ISO strings for dates), like `storage.queries`.
Every listing is ordered on a unique tie-breaker (the id), so pages never overlap.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, event, func, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, defer, joinedload, selectinload

from storage import migrate
from storage.dateprecision import dated
from storage.db import get_engine
from storage.errors import DATABASE_ERRORS, describe
from storage.models import Commitment, Evidence, Publication, PublicationRevision, Source, StatusChange
from storage.plan_hints import common
from storage.publication_filters import publication_filters
from storage.queries import (
    NotFound,
    commitment_summary,
    evidence_dict,
    evidence_query,
    get_commitment,
    iso,
    status_since,
)
from storage.search import connection, newest_first, newest_matching_ids

__all__ = [
    "commitment_list",
    "commitment_page",
    "commitment_titles",
    "commitment_with_history",
    "commitment_rows",
    "data_generation",
    "evidence_csv_rows",
    "evidence_page",
    "filter_options",
    "last_evidence",
    "open_proposals",
    "publications_page",
    "readiness",
    "source_options",
]


# --- what this process wrote ----------------------------------------------------------

_generations = itertools.count(1)
_generation = 0
_WROTE = "summitwatch_wrote"


def data_generation() -> int:
    """A number that changes whenever a session of this process commits a write.

    The web app's page caches keep an entry only while this has not moved (and for a
    short time anyway, for the writes of other processes: crawls, the scheduler).
    """
    return _generation


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    global _generation
    if session.info.pop(_WROTE, False):
        _generation = next(_generations)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_WROTE, None)


# Walking the publications newest first and probing each for the commitment's evidence
# costs about 1/WALK_ADVANTAGE of reading and sorting one piece of that evidence (measured
# at 100,000 publications); `_commitment_evidence` picks the cheaper of the two.
WALK_ADVANTAGE = {"sqlite": 5.0, "postgresql": 1.0}


def _rejected_ids() -> Select[tuple[int]]:
    """Rejected evidence, read through the review-state index (rejections are few)."""
    return select(Evidence.id).where(Evidence.review_state == "rejected")


def _linked(session: Session, commitment_id: int) -> tuple[int, int]:
    """(all, not rejected) evidence of a commitment, counted from indexes without reading rows."""
    linked = session.scalar(select(func.count()).where(Evidence.commitment_id == commitment_id))
    if not linked:
        return 0, 0
    rejected = session.scalar(
        select(func.count()).where(Evidence.commitment_id == commitment_id, Evidence.id.in_(_rejected_ids()))
    )
    return int(linked), int(linked) - int(rejected or 0)


def _commitment_evidence(
    session: Session,
    commitment_id: int,
    linked: int,
    offset: int,
    limit: int,
    walk: bool | None = None,
    total: int | None = None,
) -> list[tuple[int, datetime | None]]:
    """(id, publication date) of a commitment's non-rejected evidence, newest publication first.

    Either walk the publications newest first (the date index) probing each for this
    commitment's evidence: the page is found after about (offset + limit) / share of them;
    or read all `linked` pieces of evidence through the commitment index and sort them.
    The database's planners misjudge this choice (SQLite sorts 3,000 rows for page 1;
    PostgreSQL walks 30,000 publications for page 5), so it is made here. `total` is the
    highest publication id (read here unless given).
    """
    if not linked:
        return []
    if total is None:
        total = int(session.scalar(select(func.max(Publication.id))) or 1)
    dialect = session.get_bind().dialect.name
    if walk is None:
        walk = (offset + limit) * max(total, linked) / linked <= linked * WALK_ADVANTAGE.get(dialect, 1.0)
    base = (
        select(Evidence.id, Publication.published_at)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(Evidence.review_state != "rejected")
    )
    if walk:
        # SQLite: `+ 0` keeps the commitment index out, so the date index drives. PostgreSQL
        # walks by itself when its estimate is right, and `+ 0` would spoil the estimate.
        picked = Evidence.commitment_id + 0 if dialect == "sqlite" else Evidence.commitment_id
        query = base.where(picked == commitment_id)
        rows = newest_first(session, query, Publication.published_at, Evidence.id, offset, limit)
    else:
        found = base.where(Evidence.commitment_id == commitment_id).cte("found").prefix_with("MATERIALIZED")
        rows = list(
            session.execute(
                select(found.c.id, found.c.published_at)
                .order_by(found.c.published_at.desc().nulls_last(), found.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
    return [(row[0], row[1]) for row in rows]


def _evidence_ids(
    session: Session, where: list[ColumnElement[bool]], offset: int, limit: int
) -> list[tuple[int, datetime | None]]:
    """(id, publication date) of non-rejected evidence, newest publication first, then id.
    Only ids and dates are sorted; the rows themselves are loaded by `_load_evidence`."""
    query: Select[Any] = (
        select(Evidence.id, Publication.published_at)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(Evidence.review_state != "rejected", *where)
    )
    rows = newest_first(session, query, Publication.published_at, Evidence.id, offset, limit)
    return [(row[0], row[1]) for row in rows]


def _load_evidence(session: Session, ids: list[int]) -> list[Evidence]:
    """The evidence rows with these ids, in the order given, with what `evidence_dict` reads.

    Commitments are loaded once each (`selectin`, and not at all when the session holds
    them already) rather than joined to every row: their JSON columns are costly to decode.
    """
    if not ids:
        return []
    query = (
        select(Evidence)
        .where(Evidence.id.in_(ids))
        .options(
            defer(Evidence.explanation),
            joinedload(Evidence.publication).options(defer(Publication.body), joinedload(Publication.source)),
            selectinload(Evidence.commitment),
        )
    )
    found = {e.id: e for e in session.scalars(query).unique()}
    return [found[i] for i in ids if i in found]


# Statements run on every page view are built once (building one costs about as much as
# running it) and run on the session's connection, their rows read as tuples.
_EVIDENCE_ROWS = (
    select(
        Evidence.id,
        Commitment.slug,
        Publication.url,
        Publication.title,
        Source.slug,
        Publication.published_at,
        Publication.date_precision,
        Publication.language,
        Evidence.score,
        Evidence.signal,
        Evidence.excerpt,
        Evidence.matched_terms,
        Evidence.cue,
        Evidence.background,
        Evidence.proposed_status,
        Evidence.review_state,
        Evidence.created_at,
    )
    .join(Publication, Publication.id == Evidence.publication_id)
    .join(Source, Source.id == Publication.source_id)
    .join(Commitment, Commitment.id == Evidence.commitment_id)
    .where(Evidence.id.in_(bindparam("ids", expanding=True)))
)


def _evidence_dicts(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """`evidence_dict` of the evidence with these ids, in the order given, read as plain rows.

    The same shape as `storage.queries.evidence_dict` (a test holds them equal) without
    building ORM objects, which costs more than the query on a page of 30 or 50.
    """
    if not ids:
        return []
    found = {}
    for (
        evidence_id,
        commitment,
        url,
        title,
        source,
        published_at,
        precision,
        language,
        score,
        signal,
        excerpt,
        matched_terms,
        cue,
        background,
        proposed_status,
        review_state,
        created_at,
    ) in connection(session).execute(_EVIDENCE_ROWS, {"ids": ids}):
        found[evidence_id] = {
            "id": evidence_id,
            "commitment": commitment,
            "publication": {
                "url": url,
                "title": title,
                "source": source,
                "published_at": dated(published_at, precision),
                "date_precision": precision,
                "language": language,
            },
            "score": round(score, 4),
            "signal": signal,
            "excerpt": excerpt,
            "matched_terms": list(matched_terms),
            "cue": cue,
            "background": background,
            "proposed_status": proposed_status,
            "review_state": review_state,
            "created_at": iso(created_at),
        }
    return [found[i] for i in ids if i in found]


def _evidence_filters(
    session: Session, commitment: str | None, signal: str | None, since: datetime | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if commitment:
        where.append(Evidence.commitment_id == get_commitment(session, commitment).id)
    if signal:
        where.append(common(session, Evidence.signal == signal))
    if since is not None:
        where.append(Publication.published_at >= since)
    return where


def _page(rows: list[Any], per_page: int) -> tuple[list[Any], bool]:
    """Rows fetched with limit per_page + 1: the page, and whether another follows."""
    return rows[:per_page], len(rows) > per_page


# --- dashboard ----------------------------------------------------------------------


def _newest_per_commitment(session: Session, kept: dict[int, int]) -> dict[int, Evidence]:
    """Each commitment's newest non-rejected evidence (by publication date, then id)."""
    newest: list[int] = []
    for commitment_id, count in kept.items():
        if count:
            newest += [key for key, _ in _commitment_evidence(session, commitment_id, count, 0, 1)]
    return {e.commitment_id: e for e in _load_evidence(session, newest)}


def _last_evidence_dict(e: Evidence) -> dict[str, Any]:
    return {
        "title": e.publication.title,
        "url": e.publication.url,
        "source": e.publication.source.slug,
        "signal": e.signal,
        "published_at": dated(e.publication.published_at, e.publication.date_precision),
        "date_precision": e.publication.date_precision,
        "found_at": iso(e.created_at),
    }


def _kept_counts(session: Session) -> dict[int, int]:
    """Non-rejected evidence per commitment: all of it (from the index) less the rejected."""
    everything = select(Evidence.commitment_id, func.count()).group_by(Evidence.commitment_id)
    counts = {int(k): int(v) for k, v in session.execute(everything).tuples()}
    rejected = session.execute(
        select(Evidence.commitment_id, func.count())
        .where(Evidence.id.in_(_rejected_ids()))
        .group_by(Evidence.commitment_id)
    )
    for commitment_id, count in rejected.tuples():
        counts[int(commitment_id)] -= int(count)
    return counts


def last_evidence(session: Session) -> dict[str, dict[str, Any]]:
    """The newest non-rejected evidence of each commitment (by publication date)."""
    slugs = dict(session.execute(select(Commitment.id, Commitment.slug)).tuples().all())
    newest = _newest_per_commitment(session, _kept_counts(session))
    return {slugs[cid]: _last_evidence_dict(e) for cid, e in newest.items()}


def commitment_rows(
    session: Session, status: str | None = None, theme: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """`list_commitments` plus each commitment's last evidence (None when it has none).

    Built from each commitment's newest evidence (found through the date index) and
    per-commitment counts from the evidence index, rather than by grouping every piece of
    evidence with its publication.
    """
    query = select(Commitment).order_by(Commitment.id)
    if status:
        query = query.where(Commitment.status == status)
    if theme:
        query = query.where(Commitment.theme == theme)
    commitments = list(session.scalars(query))
    if actor:
        needle = actor.casefold()
        commitments = [c for c in commitments if any(needle in a.casefold() for a in c.actors)]
    if not commitments:
        return []
    counts = _kept_counts(session)
    newest = _newest_per_commitment(session, {c.id: counts.get(c.id, 0) for c in commitments})
    since = status_since(session)
    rows = []
    for c in commitments:
        latest = newest.get(c.id)
        stats = (counts.get(c.id, 0), latest.publication.published_at if latest is not None else None)
        row = commitment_summary(c, stats, since.get(c.id))
        row["last_evidence"] = _last_evidence_dict(latest) if latest is not None else None
        rows.append(row)
    return rows


def commitment_list(
    session: Session, status: str | None = None, theme: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """`storage.queries.list_commitments`, the same rows, built the way `commitment_rows` is."""
    rows = commitment_rows(session, status=status, theme=theme, actor=actor)
    for row in rows:
        del row["last_evidence"]
    return rows


def commitment_titles(session: Session) -> list[dict[str, Any]]:
    """Slug and titles of every commitment, in baseline order (for the subscription filters)."""
    query = select(Commitment.slug, Commitment.title_fr, Commitment.title_en).order_by(Commitment.id)
    return [{"slug": slug, "title": {"fr": fr, "en": en}} for slug, fr, en in session.execute(query).tuples()]


_SOURCE_OPTIONS = select(Source.slug, Source.name).order_by(Source.id)


def source_options(session: Session) -> list[dict[str, str]]:
    """The sources a search can be filtered by (slug and name), as stored."""
    rows = connection(session).execute(_SOURCE_OPTIONS)
    return [{"slug": slug, "name": name} for slug, name in rows]


def filter_options(session: Session) -> dict[str, list[Any]]:
    """The values the dashboard and search filters offer: actors and sources as stored."""
    actors: set[str] = set()
    for commitment_actors in session.scalars(select(Commitment.actors)):
        actors.update(commitment_actors)
    return {"actors": sorted(actors, key=str.casefold), "sources": source_options(session)}


# --- one commitment -----------------------------------------------------------------


# The commitment columns `commitment_summary` and the detail read (not the matching rules).
_HEAD_COLUMNS = (
    "id",
    "slug",
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "actors",
    "summit",
    "made_on",
    "deadline",
    "deadline_note_fr",
    "deadline_note_en",
    "theme",
    "source_url",
    "status",
)
_HEAD = select(
    *(getattr(Commitment, name) for name in _HEAD_COLUMNS),
    select(func.count()).where(Evidence.commitment_id == Commitment.id).scalar_subquery().label("linked"),
    select(func.count())
    .where(Evidence.commitment_id == Commitment.id, Evidence.id.in_(_rejected_ids()))
    .scalar_subquery()
    .label("rejected"),
    select(func.max(Publication.id)).scalar_subquery().label("total"),
).where(Commitment.slug == bindparam("slug"))


def _commitment_head(session: Session, slug: str) -> Row[Any]:
    """One statement for what a commitment's page needs besides its timeline: the commitment's
    own columns, its evidence counted from the indexes (`linked`, `rejected`), and the highest
    publication id (`total`, for `_commitment_evidence`). Raises NotFound."""
    head = connection(session).execute(_HEAD, {"slug": slug}).one_or_none()
    if head is None:
        raise NotFound(f"no commitment with slug {slug!r}")
    return head


_HISTORY = (
    select(
        StatusChange.old_status,
        StatusChange.new_status,
        StatusChange.changed_at,
        StatusChange.changed_by,
        StatusChange.note,
        Publication.url,
    )
    .outerjoin(Evidence, Evidence.id == StatusChange.evidence_id)
    .outerjoin(Publication, Publication.id == Evidence.publication_id)
    .where(StatusChange.commitment_id == bindparam("commitment_id"))
    .order_by(StatusChange.changed_at, StatusChange.id)
)


def _history(session: Session, commitment_id: int, slug: str) -> list[tuple[datetime, dict[str, Any]]]:
    """The commitment's status changes, oldest first: (when, `status_change_dict`), read as plain rows."""
    rows = connection(session).execute(_HISTORY, {"commitment_id": commitment_id})
    return [
        (
            changed_at,
            {
                "commitment": slug,
                "old_status": old_status,
                "new_status": new_status,
                "changed_at": dated(changed_at, None),
                "changed_by": changed_by,
                "note": note,
                "evidence_url": url,
            },
        )
        for old_status, new_status, changed_at, changed_by, note, url in rows
    ]


def _detail(
    head: Row[Any], kept: int, newest: datetime | None, history: list[tuple[datetime, dict[str, Any]]]
) -> dict[str, Any]:
    """`commitment_summary` plus the description, deadline note and status history."""
    # The row has the attributes `commitment_summary` reads from a Commitment.
    detail = commitment_summary(head, (kept, newest), history[-1][0] if history else None)
    detail.update(
        {
            "description": {"fr": head.description_fr, "en": head.description_en},
            "deadline_note": {"fr": head.deadline_note_fr, "en": head.deadline_note_en}
            if head.deadline_note_fr or head.deadline_note_en
            else None,
            "history": [change for _, change in history],
        }
    )
    return detail


def commitment_page(session: Session, slug: str, page: int = 1, per_page: int = 30) -> dict[str, Any]:
    """A commitment, its status history, and one page of a timeline merging evidence and status changes.

    Evidence is paged (a commitment may gather thousands; only the page's rows are read);
    each status change appears on exactly one page: the one whose evidence dates bracket it.
    """
    head = _commitment_head(session, slug)
    linked, kept, total = int(head.linked), int(head.linked) - int(head.rejected or 0), int(head.total or 1)
    history = _history(session, head.id, head.slug)
    offset = (page - 1) * per_page
    bounded_above = page > 1
    # One sorted read of ids and dates: the previous page's last row (for the bracket), this
    # page, and one more (to know whether another page follows).
    keys = _commitment_evidence(
        session,
        head.id,
        linked,
        offset - 1 if bounded_above else 0,
        per_page + 1 + int(bounded_above),
        total=total,
    )
    newest = (
        keys[:1] if not bounded_above else _commitment_evidence(session, head.id, linked, 0, 1, total=total)
    )
    previous_key = keys.pop(0) if bounded_above and keys else None
    page_keys, has_next = _page(keys, per_page)
    evidence = _evidence_dicts(session, [key for key, _ in page_keys])
    dates = dict(page_keys)

    # Status changes in (lower, upper]: upper is the last date of the previous page.
    upper: datetime | None = previous_key[1] if previous_key is not None else None
    lower = page_keys[-1][1] if has_next and page_keys else None

    def on_this_page(at: datetime) -> bool:
        if bounded_above and (upper is None or at > upper):
            return False
        return lower is None or at > lower

    items: list[tuple[datetime | None, int, dict[str, Any]]] = []
    for e in evidence:
        items.append((dates[e["id"]], 0, {"kind": "evidence", **e}))
    for changed_at, change in history:
        if on_this_page(changed_at):
            items.append((changed_at, 1, {"kind": "status", **change}))
    items.sort(key=lambda item: (item[0] is None, -(item[0].timestamp() if item[0] else 0), item[1]))

    detail = _detail(head, kept, newest[0][1] if newest else None, history)
    detail.update(
        {
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
    head = _commitment_head(session, slug)
    linked, kept = int(head.linked), int(head.linked) - int(head.rejected or 0)
    history = _history(session, head.id, head.slug)
    keys = _commitment_evidence(session, head.id, linked, 0, evidence_limit, total=int(head.total or 1))
    detail = _detail(head, kept, keys[0][1] if keys else None, history)
    detail["evidence"] = _evidence_dicts(session, [key for key, _ in keys])
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
    offset = (page - 1) * per_page
    if commitment and not signal and since is None:
        head = _commitment_head(session, commitment)
        found = _commitment_evidence(
            session, head.id, int(head.linked), offset, per_page + 1, total=int(head.total or 1)
        )
    else:
        where = _evidence_filters(session, commitment, signal, since)
        found = _evidence_ids(session, where, offset, per_page + 1)
    keys, has_next = _page(found, per_page)
    return _evidence_dicts(session, [key for key, _ in keys]), has_next


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
    where = publication_filters(source, since, until)
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
    return _publication_dicts(session, ids), has_next


_PUBLICATION_ROWS = (
    select(
        Publication.id,
        Publication.url,
        Source.slug,
        Publication.title,
        Publication.published_at,
        Publication.date_precision,
        Publication.modified_at,
        Publication.language,
        Publication.summary,
        Publication.tags,
        Publication.first_seen_at,
        Publication.fetched_via,
        Publication.extracted_by,
        select(func.count(PublicationRevision.id))
        .where(PublicationRevision.publication_id == Publication.id)
        .scalar_subquery(),
    )
    .join(Source, Source.id == Publication.source_id)
    .where(Publication.id.in_(bindparam("ids", expanding=True)))
)


def _publication_dicts(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """`publication_dict` of the publications with these ids, in the order given, read as plain rows.

    The same shape as `storage.queries.publication_dict` (a test holds them equal).
    """
    found = {}
    for (
        publication_id,
        url,
        source,
        title,
        published_at,
        precision,
        modified_at,
        language,
        summary,
        tags,
        first_seen_at,
        fetched_via,
        extracted_by,
        revisions,
    ) in connection(session).execute(_PUBLICATION_ROWS, {"ids": ids}):
        found[publication_id] = {
            "url": url,
            "source": source,
            "title": title,
            "published_at": dated(published_at, precision),
            "date_precision": precision,
            "modified_at": iso(modified_at),
            "language": language,
            "summary": summary,
            "tags": list(tags),
            "first_seen_at": iso(first_seen_at),
            "fetched_via": fetched_via,
            "extracted_by": extracted_by,
            "revisions": int(revisions or 0),
        }
    return [found[i] for i in ids if i in found]


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
