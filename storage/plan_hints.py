"""What a query planner cannot know about our data, told to it where it picks badly.

SQLite assumes an equality on a column without an index keeps few rows, so a filter on
evidence's signal (a quarter of the evidence each) made it read all the evidence and sort
it (65 ms at 100,000 publications) instead of walking the publication date index and
stopping at the page's last row (0.5 ms). `likelihood()` tells it the filter keeps many.
PostgreSQL keeps column statistics and needs no hint.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ColumnElement, func, literal_column
from sqlalchemy.orm import Session

# The share of rows a "common" filter keeps, as SQLite's planner reads it: a walk down an
# ordered index then costs about 1 / COMMON rows read per row wanted.
COMMON = 0.25


def common(session: Session, clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """`clause`, marked on SQLite as one that many rows pass."""
    if session.get_bind().dialect.name != "sqlite":
        return clause
    return func.likelihood(clause, literal_column(repr(COMMON)), type_=Boolean)  # a constant, not a bind
