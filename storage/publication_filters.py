"""The filters a publication listing or search takes (source, published since / before), as SQL clauses.

One definition for the listing (`storage.web_queries`) and the search results page
(`storage.search_results`), so that a filter means the same on both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select

from storage.models import Publication, Source


def publication_filters(
    source: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> list[ColumnElement[bool]]:
    """Clauses on `Publication`; an unknown source matches nothing (a filter, not a lookup)."""
    where: list[ColumnElement[bool]] = []
    if source:
        where.append(
            Publication.source_id == select(Source.id).where(Source.slug == source).scalar_subquery()
        )
    if since is not None:
        where.append(Publication.published_at >= since)
    if until is not None:
        where.append(Publication.published_at < until)
    return where
