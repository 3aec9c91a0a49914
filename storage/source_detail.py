"""One source in full (`sources show SLUG`): its health and every reason, its entry points, its runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import CrawlRun, PageRefusal, Publication, Source
from storage.queries import NotFound, crawl_run_dict, iso, last_run

RECENT_RUNS = 10
RECENT_REFUSALS = 20


def source_detail(session: Session, slug: str) -> dict[str, Any]:
    source = session.scalar(select(Source).where(Source.slug == slug))
    if source is None:
        known = ", ".join(session.scalars(select(Source.slug).order_by(Source.id)))
        raise NotFound(f"no source with slug {slug!r} (known: {known})")
    last = last_run(session, source.id)
    last_dict = crawl_run_dict(last) if last else None
    stats = dict(last.stats or {}) if last else {}
    runs = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.source_id == source.id)
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(RECENT_RUNS)
    )
    refusals = session.scalars(
        select(PageRefusal)
        .where(PageRefusal.source_id == source.id)
        .order_by(PageRefusal.refused_at.desc(), PageRefusal.id.desc())
        .limit(RECENT_REFUSALS)
    )
    count = session.scalar(select(func.count(Publication.id)).where(Publication.source_id == source.id))
    return {
        "slug": source.slug,
        "name": source.name,
        "homepage": source.homepage,
        "enabled": source.enabled,
        "publications": count or 0,
        "health": last_dict["health"] if last_dict else "never crawled",
        "health_reasons": last_dict["health_reasons"] if last_dict else [],
        "last_run": last_dict,
        "entry_points": list(stats.get("entry_points", [])),
        "outside_patterns": list(stats.get("outside_patterns", [])),
        "problems": list(stats.get("problems", [])),
        "runs": [crawl_run_dict(r) for r in runs],
        "refusals": [
            {
                "url": r.url,
                "reason": r.reason,
                "refused_at": iso(r.refused_at),
                "snapshot_sha256": r.snapshot_sha256,
                "run_id": r.run_id,
            }
            for r in refusals
        ],
    }
