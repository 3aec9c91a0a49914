"""Full-text search over publications: SQLite FTS5, PostgreSQL tsvector (French).

The index objects are created by the migrations, outside the models; their names
start with `SEARCH_PREFIX` so that `alembic check` can leave them out.

`newest_matching_ids` pages through the matches newest first without ever sorting a
large match set when it need not: a query that matches most publications is answered
by walking the publications newest first and testing each against the index until the
page is full; a query that matches few is answered from the index and sorted. Either
way the order is the listings' one (publication date descending, undated last, then
id descending), so the two paths give the same pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, exists, func, literal_column, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.models import Publication

SEARCH_PREFIX = "publications_fts"
PG_INDEX = "ix_publications_fts"

# SQLite: testing one publication against FTS5 costs about 30 sorting one match 1 (µs, measured).
SQLITE_PROBE_COST = 30
# PostgreSQL: first test the newest (offset + limit) * PG_WINDOW_FACTOR publications (recomputing
# their tsvector, ~0.1 ms each), at most PG_WINDOW_MAX of them; when too few match, use the GIN index.
PG_WINDOW_FACTOR = 4
PG_WINDOW_MAX = 400

_WORD = re.compile(r"\w+", re.UNICODE)


def is_search_object(name: str) -> bool:
    return name.startswith(SEARCH_PREFIX) or name == PG_INDEX


def search_terms(query: str) -> list[str]:
    """The words of a user's query; punctuation and operators are dropped, never interpreted."""
    return _WORD.findall(query)[:20]


def pg_document() -> ColumnElement[object]:
    """The indexed expression; must stay identical to the migration's index."""
    return func.to_tsvector(
        literal_column("'french'"),
        func.coalesce(Publication.title, "") + " " + func.coalesce(Publication.body, ""),
    )


def _fts_query(words: list[str]) -> str:
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def _fts_match(words: list[str]) -> Any:
    return text(f"{SEARCH_PREFIX} MATCH :fts_query").bindparams(fts_query=_fts_query(words))


def _pg_match(words: list[str]) -> ColumnElement[bool]:
    tsquery = func.plainto_tsquery(literal_column("'french'"), " ".join(words))
    return pg_document().op("@@")(tsquery)


def matching_ids(session: Session, query: str) -> Select[tuple[int]] | None:
    """A select of publication ids matching every word of `query` (None: no words)."""
    words = search_terms(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return select(literal_column("rowid")).select_from(text(SEARCH_PREFIX)).where(_fts_match(words))
    if dialect == "postgresql":
        return select(Publication.id).where(_pg_match(words))
    clauses = [or_(Publication.title.ilike(f"%{w}%"), Publication.body.ilike(f"%{w}%")) for w in words]
    return select(Publication.id).where(*clauses)


# --- newest first ---------------------------------------------------------------------


def newest_first(
    session: Session,
    query: Select[Any],
    date: InstrumentedAttribute[Any],
    key: InstrumentedAttribute[Any],
    offset: int,
    limit: int,
) -> list[Row[Any]]:
    """Rows `offset`..`offset + limit` of `query` ordered `date` DESC NULLS LAST, then `key` DESC.

    Dated rows and undated rows are read in two steps so that a plain index on `date`
    serves the order on both backends (PostgreSQL reads a btree backwards as DESC NULLS
    FIRST, so `ORDER BY date DESC NULLS LAST` would sort the whole table).
    """
    dated = query.where(date.is_not(None))
    rows = list(session.execute(dated.order_by(date.desc(), key.desc()).offset(offset).limit(limit)))
    if len(rows) == limit:
        return rows
    skip = 0
    if not rows and offset:
        skip = max(0, offset - int(session.scalar(select(func.count()).select_from(dated.subquery())) or 0))
    undated = query.where(date.is_(None)).order_by(key.desc()).offset(skip).limit(limit - len(rows))
    return rows + list(session.execute(undated))


def _sorted_page(session: Session, query: Select[Any], offset: int, limit: int) -> list[int]:
    """The page of a small match set, sorted in the database."""
    ordered = query.order_by(Publication.published_at.desc().nulls_last(), Publication.id.desc())
    return list(session.scalars(ordered.offset(offset).limit(limit)))


def _sqlite_ids(
    session: Session, words: list[str], where: Sequence[ColumnElement[bool]], offset: int, limit: int
) -> list[int]:
    match = _fts_match(words)
    count = int(session.scalar(select(func.count()).select_from(text(SEARCH_PREFIX)).where(match)) or 0)
    if count == 0:
        return []
    total = int(session.scalar(select(func.max(Publication.id))) or 0)
    walk_cost = (offset + limit) * max(total, count) / count * SQLITE_PROBE_COST
    if walk_cost < count:  # many matches: walk the publications newest first, test each with FTS5
        probe = exists(
            select(literal_column("1"))
            .select_from(text(SEARCH_PREFIX))
            .where(text(f"{SEARCH_PREFIX}.rowid = publications.id"), _fts_match(words))
        )
        query = select(Publication.id).where(probe, *where)
        return [
            row[0]
            for row in newest_first(session, query, Publication.published_at, Publication.id, offset, limit)
        ]
    rowids = select(literal_column("rowid")).select_from(text(SEARCH_PREFIX)).where(match)
    return _sorted_page(
        session, select(Publication.id).where(Publication.id.in_(rowids), *where), offset, limit
    )


@contextmanager
def _gin_only(session: Session) -> Iterator[None]:
    """Plan the next query with bitmap scans only: the planner underrates recomputing tsvectors
    (a sequential or date-ordered scan tests each row at ~0.1 ms) and would pick them for words
    it misjudges as common. Restores the settings afterwards (they are transaction-local)."""
    before = session.execute(
        text(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
            "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
    ).one()
    try:
        yield
    finally:
        session.execute(
            text("SELECT set_config('enable_seqscan', :s, true), set_config('enable_indexscan', :i, true)"),
            {"s": before[0], "i": before[1]},
        )


def _pg_ids(
    session: Session, words: list[str], where: Sequence[ColumnElement[bool]], offset: int, limit: int
) -> list[int]:
    match = _pg_match(words)
    want = offset + limit
    window = want * PG_WINDOW_FACTOR
    if window <= PG_WINDOW_MAX:  # common words: the newest publications hold the page
        newest = [
            row[0]
            for row in newest_first(
                session,
                select(Publication.id).where(*where),
                Publication.published_at,
                Publication.id,
                0,
                window,
            )
        ]
        if not newest:
            return []
        hits = set(session.scalars(select(Publication.id).where(Publication.id.in_(newest), match)))
        ordered = [i for i in newest if i in hits]
        if len(ordered) >= want or len(newest) < window:
            return ordered[offset:want]
    with _gin_only(session):  # rarer words: the GIN index finds them all, the database sorts them
        return _sorted_page(session, select(Publication.id).where(match, *where), offset, limit)


def newest_matching_ids(
    session: Session,
    query: str,
    where: Sequence[ColumnElement[bool]] = (),
    offset: int = 0,
    limit: int = 20,
) -> list[int] | None:
    """Ids of the publications matching every word of `query` and the `where` clauses, newest
    first, rows `offset`..`offset + limit` (None when the query has no words)."""
    words = search_terms(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_ids(session, words, where, offset, limit)
    if dialect == "postgresql":
        return _pg_ids(session, words, where, offset, limit)
    clauses = [or_(Publication.title.ilike(f"%{w}%"), Publication.body.ilike(f"%{w}%")) for w in words]
    return _sorted_page(session, select(Publication.id).where(*clauses, *where), offset, limit)
