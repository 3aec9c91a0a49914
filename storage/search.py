"""Full-text search over publications: SQLite FTS5, PostgreSQL tsvector (French).

The index objects are created by the migrations, outside the models; their names
start with `SEARCH_PREFIX` so that `alembic check` can leave them out.

`newest_matching_ids` pages through the matches newest first without ever sorting a
large match set when it need not: a query that matches most publications is answered
by walking the publications newest first (the date index) and testing them against the
search until the page is full; a query that matches few is answered from the index and
sorted. The walk has a budget, so a rare word costs a bounded walk and then the index.
Either way the order is the listings' one (publication date descending, undated last,
then id descending), so the two paths give the same pages.

The walk tests a window of the newest publications at once:
- SQLite: one FTS5 query per run of close rowids (`rowid BETWEEN lo AND hi`), which
  FTS5 answers by seeking in its doclists; testing publications one by one (a
  correlated `MATCH`) costs about 70 µs each, a whole window of 40 about 80 µs.
- PostgreSQL: one statement that recomputes the tsvector (~0.13 ms a publication) of the
  window's rows newest first and stops at the page's last match (`LIMIT`), so a common
  word costs about one tsvector per row shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.models import Publication

SEARCH_PREFIX = "publications_fts"
PG_INDEX = "ix_publications_fts"

# The walk first tests the newest (offset + limit) * FIRST_CHUNK publications, then as many
# more as the share of matches so far says are needed (with a margin), at most the budget in
# all; when that would not fill the page, the index's matches are sorted instead.
FIRST_CHUNK = 2
# SQLite: walking costs less than a microsecond a publication, sorting about as much a match:
# walk up to SQLITE_WALK_MIN publications, or SQLITE_WALK_FACTOR times the rows wanted.
SQLITE_WALK_MIN = 2000
SQLITE_WALK_FACTOR = 20
# ...tested in runs of rowids at most SQLITE_RUN_GAP apart, at most SQLITE_MAX_RUNS a window
# (scattered rowids: tested one by one).
SQLITE_RUN_GAP = 512
SQLITE_MAX_RUNS = 16
# PostgreSQL: each publication walked costs a tsvector (~0.13 ms): PG_WALK_MAX at most (~40 ms).
PG_WALK_MAX = 300

_WORD = re.compile(r"\w+", re.UNICODE)


def is_search_object(name: str) -> bool:
    return name.startswith(SEARCH_PREFIX) or name == PG_INDEX


def connection(session: Session) -> Connection:
    """The session's connection, pending changes flushed first (as the ORM's autoflush would):
    plain column queries run on it skip the ORM's per-statement work."""
    session.flush()
    return session.connection()


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
    rows = list(
        connection(session).execute(dated.order_by(date.desc(), key.desc()).offset(offset).limit(limit))
    )
    if len(rows) == limit:
        return rows
    skip = 0
    if not rows and offset:
        skip = max(0, offset - int(session.scalar(select(func.count()).select_from(dated.subquery())) or 0))
    undated = query.where(date.is_(None)).order_by(key.desc()).offset(skip).limit(limit - len(rows))
    return rows + list(connection(session).execute(undated))


def _sorted_page(session: Session, query: Select[Any], offset: int, limit: int) -> list[int]:
    """The page of a small match set, sorted in the database."""
    ordered = query.order_by(Publication.published_at.desc().nulls_last(), Publication.id.desc())
    return list(connection(session).execute(ordered.offset(offset).limit(limit)).scalars())


def _newest_windows(where: Sequence[ColumnElement[bool]]) -> Iterator[tuple[Select[Any], bool]]:
    """The publications newest first, as two queries to window with OFFSET / LIMIT: the dated
    ones (date index, backwards), then the undated ones (by id). See `newest_first`."""
    dated = Publication.published_at.is_not(None)
    yield (
        select(Publication.id)
        .where(dated, *where)
        .order_by(Publication.published_at.desc(), Publication.id.desc()),
        True,
    )
    yield (
        select(Publication.id)
        .where(Publication.published_at.is_(None), *where)
        .order_by(Publication.id.desc()),
        False,
    )


def _next_chunk(want: int, found: int, seen: int) -> int:
    """How many more publications to test: what the share of matches so far says, with a margin."""
    return max(want, int((want - found) * seen / max(found, 1) * 1.5))


def _runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """The ids as (low, high) runs whose gaps are at most SQLITE_RUN_GAP."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i - runs[-1][1] <= SQLITE_RUN_GAP:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(low, high) for low, high in runs]


def _fts_hits(session: Session, words: list[str], ids: Sequence[int]) -> set[int]:
    """Which of `ids` match: one FTS5 query over each run of close rowids (see the module's note)."""
    if not ids:
        return set()
    match = _fts_match(words)
    rowid = literal_column("rowid")
    runs = _runs(ids)
    query: Any
    if len(runs) > SQLITE_MAX_RUNS:  # scattered: FTS5 tests them one by one
        query = select(rowid).select_from(text(SEARCH_PREFIX)).where(match, rowid.in_(list(ids)))
    else:
        query = union_all(
            *(
                select(rowid).select_from(text(SEARCH_PREFIX)).where(match, rowid.between(low, high))
                for low, high in runs
            )
        )
    wanted = set(ids)
    return {i for i in connection(session).execute(query).scalars() if i in wanted}


def _sqlite_walk(
    session: Session, words: list[str], where: Sequence[ColumnElement[bool]], want: int, budget: int | None
) -> list[int] | None:
    """The first `want` matches, newest first, found by walking; None when the budget would run out."""
    found: list[int] = []
    seen, chunk = 0, want * FIRST_CHUNK
    for window, _ in _newest_windows(where):
        start = 0
        while True:
            if budget is not None and seen + chunk > budget:
                return None
            ids = list(connection(session).execute(window.offset(start).limit(chunk)).scalars())
            hits = _fts_hits(session, words, ids)
            found += [i for i in ids if i in hits]
            start += len(ids)
            seen += len(ids)
            if len(found) >= want:
                return found
            if len(ids) < chunk:
                break  # this window is walked through: on to the undated publications
            chunk = _next_chunk(want, len(found), seen)
    return found


def _sqlite_ids(
    session: Session,
    words: list[str],
    where: Sequence[ColumnElement[bool]],
    offset: int,
    limit: int,
    walk: bool | None,
) -> list[int]:
    want = offset + limit
    if walk is not False:  # many matches: the newest publications hold the page
        budget = None if walk else max(SQLITE_WALK_MIN, want * SQLITE_WALK_FACTOR)
        found = _sqlite_walk(session, words, where, want, budget)
        if found is not None:
            return found[offset:want]
    rowids = select(literal_column("rowid")).select_from(text(SEARCH_PREFIX)).where(_fts_match(words))
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
    yield  # on an error the transaction rolls back, and the settings with it
    session.execute(
        text("SELECT set_config('enable_seqscan', :s, true), set_config('enable_indexscan', :i, true)"),
        {"s": before[0], "i": before[1]},
    )


def _pg_window_hits(
    session: Session, words: list[str], window: Select[Any], dated: bool, need: int
) -> list[int]:
    """The first `need` matches of `window` (ids newest first), its rows tested in order: the
    LIMIT stops the tsvectors at the last match needed."""
    rows = window.add_columns(Publication.published_at, Publication.title, Publication.body).subquery("w")
    document = func.to_tsvector(
        literal_column("'french'"), func.coalesce(rows.c.title, "") + " " + func.coalesce(rows.c.body, "")
    )
    tsquery = func.plainto_tsquery(literal_column("'french'"), " ".join(words))
    order = (rows.c.published_at.desc(), rows.c.id.desc()) if dated else (rows.c.id.desc(),)
    query = select(rows.c.id).where(document.op("@@")(tsquery)).order_by(*order).limit(need)
    return list(connection(session).execute(query).scalars())


def _pg_walk(
    session: Session, words: list[str], where: Sequence[ColumnElement[bool]], want: int, budget: int | None
) -> list[int] | None:
    """The first `want` matches, newest first, found by walking; None when the budget would run out."""
    found: list[int] = []
    seen, chunk = 0, want * FIRST_CHUNK
    for window, dated in _newest_windows(where):
        start = 0
        while True:
            if budget is not None and seen + chunk > budget:
                return None
            part = window.offset(start).limit(chunk)
            found += _pg_window_hits(session, words, part, dated, want - len(found))
            if len(found) >= want:
                return found
            # Fewer matches than needed: the whole window was tested. How long was it?
            walked = int(session.scalar(select(func.count()).select_from(part.subquery())) or 0)
            start += walked
            seen += walked
            if walked < chunk:
                break  # this window is walked through: on to the undated publications
            chunk = _next_chunk(want, len(found), seen)
    return found


def _pg_ids(
    session: Session,
    words: list[str],
    where: Sequence[ColumnElement[bool]],
    offset: int,
    limit: int,
    walk: bool | None,
) -> list[int]:
    want = offset + limit
    if walk is not False:  # common words: the newest publications hold the page
        found = _pg_walk(session, words, where, want, None if walk else PG_WALK_MAX)
        if found is not None:
            return found[offset:want]
    with _gin_only(session):  # rarer words: the GIN index finds them all, the database sorts them
        return _sorted_page(session, select(Publication.id).where(_pg_match(words), *where), offset, limit)


def newest_matching_ids(
    session: Session,
    query: str,
    where: Sequence[ColumnElement[bool]] = (),
    offset: int = 0,
    limit: int = 20,
    walk: bool | None = None,
) -> list[int] | None:
    """Ids of the publications matching every word of `query` and the `where` clauses, newest
    first, rows `offset`..`offset + limit` (None when the query has no words).

    `walk` forces a path (True: newest publications first; False: the index's matches,
    sorted); None picks the cheaper. Both give the same answer.
    """
    words = search_terms(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_ids(session, words, where, offset, limit, walk)
    if dialect == "postgresql":
        return _pg_ids(session, words, where, offset, limit, walk)
    clauses = [or_(Publication.title.ilike(f"%{w}%"), Publication.body.ilike(f"%{w}%")) for w in words]
    return _sorted_page(session, select(Publication.id).where(*clauses, *where), offset, limit)
