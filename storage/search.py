"""Full-text search over publications: SQLite FTS5, PostgreSQL tsvector (French).

The index objects are created by the migrations, outside the models; their names
start with `SEARCH_PREFIX` so that `alembic check` can leave them out.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from storage.models import Publication

SEARCH_PREFIX = "publications_fts"
PG_INDEX = "ix_publications_fts"

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


def matching_ids(session: Session, query: str) -> Select[tuple[int]] | None:
    """A select of publication ids matching every word of `query` (None: no words)."""
    words = search_terms(query)
    if not words:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        fts_query = " ".join('"' + w.replace('"', "") + '"' for w in words)
        return (
            select(literal_column("rowid"))
            .select_from(text(SEARCH_PREFIX))
            .where(text(f"{SEARCH_PREFIX} MATCH :fts_query").bindparams(fts_query=fts_query))
        )
    if dialect == "postgresql":
        tsquery = func.plainto_tsquery(literal_column("'french'"), " ".join(words))
        return select(Publication.id).where(pg_document().op("@@")(tsquery))
    clauses = [or_(Publication.title.ilike(f"%{w}%"), Publication.body.ilike(f"%{w}%")) for w in words]
    return select(Publication.id).where(*clauses)
