"""The methodology page's read model: what each source covers and when the data were last refreshed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.db import Session
from storage.models import CrawlRun, Evidence, Publication, Source


def refresh_state(session: Session) -> dict[str, Any]:
    """Every source (publications, first and last publication date, last crawl run) and the last match.

    `last_crawl` is the latest start of any source's run; `last_match` the latest time the tracker
    linked (or relinked) a publication to a commitment; either is None when it never happened.
    """
    counts = dict(
        session.execute(
            select(
                Publication.source_id,
                func.count(Publication.id),
            ).group_by(Publication.source_id)
        ).all()
    )
    spans = {
        row[0]: (row[1], row[2])
        for row in session.execute(
            select(
                Publication.source_id, func.min(Publication.published_at), func.max(Publication.published_at)
            ).group_by(Publication.source_id)
        ).all()
    }
    latest = (
        select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
        .group_by(CrawlRun.source_id)
        .subquery()
    )
    runs = {
        run.source_id: run
        for run in session.scalars(select(CrawlRun).join(latest, CrawlRun.id == latest.c.run_id))
    }
    sources = []
    for source in session.scalars(select(Source).order_by(Source.name)):
        run = runs.get(source.id)
        first, last = spans.get(source.id, (None, None))
        sources.append(
            {
                "slug": source.slug,
                "name": source.name,
                "homepage": source.homepage,
                "language": source.language,
                "enabled": source.enabled,
                "publications": counts.get(source.id, 0),
                "first_published": first,
                "last_published": last,
                "last_run": None
                if run is None
                else {
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "status": run.status,
                    "new": run.new,
                    "updated": run.updated,
                    "errors": run.errors,
                },
            }
        )
    starts: list[datetime] = [s["last_run"]["started_at"] for s in sources if s["last_run"]]
    return {
        "sources": sources,
        "last_crawl": max(starts) if starts else None,
        "last_match": session.scalar(select(func.max(Evidence.updated_at))),
        "publications": sum(counts.values()),
    }
