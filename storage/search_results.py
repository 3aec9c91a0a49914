"""A page of search results that shows why each publication matched: its passage, the count.

Ranking and passages come from each backend's own full-text index:
- SQLite: FTS5's `bm25()` (title weighted above body) and `snippet()`;
- PostgreSQL: `ts_rank_cd()` over the stored, weighted tsvector and `ts_headline()`.

Relevance of a word most publications contain ranks the RANK_WINDOW most recently stored
of its matches: ranking all of them costs more than the page is worth.

A passage is returned as segments ``(text, matched)`` rather than HTML: the page escapes
the text and marks the matched words itself, so nothing from a publication reaches
the page unescaped. The count stops at `COUNT_CAP` (counting every match of a common
word would cost more than the page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, TextClause, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from storage.models import Publication
from storage.publication_filters import publication_filters
from storage.search import (
    SEARCH_PREFIX,
    _fts_query,
    connection,
    matching_ids,
    newest_matching_ids,
    pg_document,
    pg_tsquery,
    search_terms,
)
from storage.web_queries import _publication_dicts

Sort = Literal["date", "relevance"]
SORTS: tuple[Sort, ...] = ("date", "relevance")
COUNT_CAP = 1000
# Markers around matched words inside a passage; control characters never stored in text.
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 24
# Title weighs this many times the body in SQLite's bm25 (PostgreSQL: weights A and B).
TITLE_WEIGHT = 5.0
# Relevance ranks at most this many matches, the most recently stored (see `_ranked_ids`).
RANK_WINDOW = 2000

Segments = list[tuple[str, bool]]


@dataclass(frozen=True)
class SearchResults:
    """One page of matches, each row a publication dict with its ``passage`` segments."""

    rows: list[dict[str, Any]]
    has_next: bool
    total: int
    capped: bool
    sort: Sort
    words: list[str] = field(default_factory=list)


def segments(marked: str | None) -> Segments:
    """A passage with START/STOP markers as ``(text, matched)`` pieces; stray markers dropped."""
    out: Segments = []
    for i, piece in enumerate((marked or "").split(START)):
        hit, _, rest = piece.partition(STOP) if i else ("", "", piece)
        if hit:
            out.append((hit.replace(STOP, ""), True))
        if rest:
            out.append((rest.replace(STOP, ""), False))
    return out


def _fts_rowids() -> Select[Any]:
    return (
        select(literal_column("rowid"))
        .select_from(table(SEARCH_PREFIX))
        .where(text(f"{SEARCH_PREFIX} MATCH :fts_query"))
    )


def _filtered(query: Select[Any], where: list[ColumnElement[bool]]) -> Select[Any]:
    if not where:
        return query
    return query.where(literal_column("rowid").in_(select(Publication.id).where(*where)))


def _custom_plans(session: Session) -> None:
    """Plan this transaction's statements for their values: how common a word is decides between
    walking the primary key and the GIN index, and psycopg's prepared statements would otherwise
    settle on one generic plan after five searches."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"))


def _ranked_ids(
    session: Session, words: list[str], where: list[ColumnElement[bool]], offset: int, limit: int
) -> list[int]:
    """The page's ids, best match first (ties: newest id first)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        rowid = literal_column("rowid")
        params = {"fts_query": _fts_query(words)}
        matches = _filtered(_fts_rowids(), where)
        # Ranking every match of a common word costs ~4 µs each (~0.4 s at 100,000): rank the
        # RANK_WINDOW most recently stored matches (a rowid range FTS5 seeks to) when there are more.
        lowest = (
            connection(session)
            .execute(matches.order_by(rowid.desc()).offset(RANK_WINDOW - 1).limit(1), params)
            .scalar()
        )
        if lowest is not None:
            matches = matches.where(rowid >= lowest)
        rank = literal_column(f"bm25({SEARCH_PREFIX}, {TITLE_WEIGHT}, 1.0)")
        query = matches.order_by(rank, rowid.desc()).offset(offset).limit(limit)
        return list(connection(session).execute(query, params).scalars())
    if dialect == "postgresql":
        tsquery = pg_tsquery(words)
        matches = select(Publication.id).where(pg_document().op("@@")(tsquery), *where)
        lowest = (
            connection(session)
            .execute(matches.order_by(Publication.id.desc()).offset(RANK_WINDOW - 1).limit(1))
            .scalar()
        )
        if lowest is not None:
            matches = matches.where(Publication.id >= lowest)
        rank = func.ts_rank_cd(pg_document(), tsquery)
        query = matches.order_by(rank.desc(), Publication.id.desc()).offset(offset).limit(limit)
        return list(connection(session).execute(query).scalars())
    return newest_matching_ids(session, " ".join(words), where, offset, limit) or []


def _count(session: Session, search: str, words: list[str], where: list[ColumnElement[bool]]) -> int:
    """How many publications match, counted up to COUNT_CAP + 1."""
    dialect = session.get_bind().dialect.name
    params: dict[str, Any] = {}
    if dialect == "sqlite":
        inner: Select[Any] = _filtered(_fts_rowids(), where)
        params = {"fts_query": _fts_query(words)}
    else:
        ids = matching_ids(session, search)
        assert ids is not None
        inner = ids.where(*where)
    # PostgreSQL's planner picks: a walk down the primary key that stops at COUNT_CAP + 1
    # matches (a common word), or the GIN index (a rare one).
    capped = select(func.count()).select_from(inner.limit(COUNT_CAP + 1).subquery())
    return int(connection(session).execute(capped, params).scalar_one())


@lru_cache(maxsize=64)
def _sqlite_snippets(count: int) -> TextClause:
    """The passages of `count` publications in one statement, built once per count (parsing its
    text for parameters cost about 1 ms a page).

    One `rowid = ?` per publication: FTS5 seeks each in its doclists, where `rowid IN (…)`
    would walk every match of a common word."""
    one = (
        "SELECT rowid, snippet(publications_fts, -1, :start, :stop, '…', :size) "
        "FROM publications_fts WHERE publications_fts MATCH :fts_query AND rowid = :id{i}"
    )
    return text(" UNION ALL ".join(one.format(i=i) for i in range(count)))


def _passages(session: Session, words: list[str], ids: list[int]) -> dict[int, str]:
    """The passage of each publication that best shows the words, with START/STOP markers."""
    if not ids:
        return {}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        params: dict[str, Any] = {"start": START, "stop": STOP, "size": SNIPPET_WORDS}
        params |= {"fts_query": _fts_query(words)} | {f"id{i}": v for i, v in enumerate(ids)}
        return dict(connection(session).execute(_sqlite_snippets(len(ids)), params).tuples().all())
    if dialect == "postgresql":
        options = (
            f'StartSel="{START}", StopSel="{STOP}", MaxWords={SNIPPET_WORDS}, MinWords=10, '
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        body = func.left(func.coalesce(Publication.body, Publication.title, ""), 50_000)
        headline = func.ts_headline(literal_column("'french'"), body, pg_tsquery(words), options)
        query = select(Publication.id, headline).where(Publication.id.in_(ids))
        return dict(connection(session).execute(query).tuples().all())
    return {}


def search_publications(
    session: Session,
    search: str,
    source: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: Sort = "date",
) -> SearchResults | None:
    """A page of publications matching every word of `search`, newest or best first (None: no words)."""
    words = search_terms(search)
    if not words:
        return None
    where = publication_filters(source, since, until)
    _custom_plans(session)
    offset, limit = (page - 1) * per_page, per_page + 1
    # Counted first: no match needs no page, and a few (up to the cap) are sorted from the
    # index at once rather than sought by walking the newest publications first.
    total = _count(session, search, words, where)
    if not total:
        ids: list[int] = []
    elif sort == "relevance":
        ids = _ranked_ids(session, words, where, offset, limit)
    else:
        walk = False if total <= COUNT_CAP else None
        ids = newest_matching_ids(session, search, where, offset, limit, walk=walk) or []
    ids, has_next = ids[:per_page], len(ids) > per_page
    rows = _publication_dicts(session, ids) if ids else []
    passages = _passages(session, words, ids)
    for publication_id, row in zip(ids, rows, strict=True):
        row["passage"] = segments(passages.get(publication_id))
    return SearchResults(
        rows=rows,
        has_next=has_next,
        total=min(total, COUNT_CAP),
        capped=total > COUNT_CAP,
        sort=sort,
        words=words,
    )
