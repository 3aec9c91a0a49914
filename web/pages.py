"""The public HTML pages: dashboard, one commitment, publication search, sources."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from datetime import time as day_start
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from storage.models import STATUSES, THEMES
from storage.queries import list_commitments, list_sources
from storage.web_queries import commitment_page, commitment_rows, filter_options, publications_page
from web.render import db, render

router = APIRouter(include_in_schema=False)

PUBLICATIONS_PER_PAGE = 20
TIMELINE_PER_PAGE = 30
MAX_PAGE = 10_000


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _page(value: str | None) -> int:
    try:
        page = int(value or 1)
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def _day(value: str | None) -> datetime | None:
    """A YYYY-MM-DD filter as the start of that day in UTC; None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value[:10], "%Y-%m-%d").date(), day_start(), tzinfo=UTC)
    except ValueError:
        return None


DASHBOARD_TTL = 30.0  # seconds; the tracker moves after crawls (hours apart), not per request
_dashboard_lock = threading.Lock()


def _dashboard_data(
    request: Request, status: str | None, theme: str | None, actor: str | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The dashboard's rows, kept DASHBOARD_TTL seconds: each build aggregates all the evidence."""
    key = (status, theme, (actor or "").casefold())
    now = time.monotonic()
    with _dashboard_lock:
        cache = request.app.state.dashboard_cache  # one per app
        hit = cache.get(key)
    if hit is not None and now - hit[0] < DASHBOARD_TTL:
        return hit[1], hit[2]
    with db(request) as session:
        rows = commitment_rows(session, status=status, theme=theme, actor=actor)
        options = filter_options(session)
    with _dashboard_lock:
        if len(cache) > 500:
            cache.clear()
        cache[key] = (now, rows, options)
    return rows, options


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """Every commitment with its status, last evidence and days since; filters by theme, actor, status."""
    params = request.query_params
    status = _choice(params.get("status"), STATUSES)
    theme = _choice(params.get("theme"), THEMES)
    actor = (params.get("actor") or "").strip()[:100] or None
    rows, options = _dashboard_data(request, status, theme, actor)
    return render(
        request,
        "dashboard.html",
        {
            "rows": rows,
            "statuses": STATUSES,
            "themes": THEMES,
            "actors": options["actors"],
            "selected": {"status": status, "theme": theme, "actor": actor},
        },
    )


@router.get("/commitments/{slug}", response_class=HTMLResponse)
def commitment(request: Request, slug: str) -> HTMLResponse:
    """A commitment: description, source, deadline, and a timeline of evidence and status changes."""
    page = _page(request.query_params.get("page"))
    with db(request) as session:
        detail = commitment_page(session, slug[:100], page=page, per_page=TIMELINE_PER_PAGE)
    return render(request, "commitment.html", {"c": detail})


@router.get("/publications", response_class=HTMLResponse)
def publications(request: Request) -> HTMLResponse:
    """Full-text search over the publications, with source and date filters, paginated."""
    params = request.query_params
    search = (params.get("q") or "").strip()[:200]
    source = (params.get("source") or "").strip()[:40] or None
    since, until = _day(params.get("since")), _day(params.get("until"))
    page = _page(params.get("page"))
    with db(request) as session:
        options = filter_options(session)
        known = {s["slug"] for s in options["sources"]}
        rows, has_next = publications_page(
            session,
            source=source if source in known else None,
            since=since,
            until=until,
            search=search or None,
            page=page,
            per_page=PUBLICATIONS_PER_PAGE,
        )
    return render(
        request,
        "publications.html",
        {
            "rows": rows,
            "has_next": has_next,
            "page": page,
            "sources": options["sources"],
            "selected": {
                "q": search,
                "source": source if source in known else "",
                "since": since.date().isoformat() if since else "",
                "until": until.date().isoformat() if until else "",
            },
        },
    )


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request) -> HTMLResponse:
    """Each source with its last crawl and its health."""
    with db(request) as session:
        rows = list_sources(session)
    return render(request, "sources.html", {"rows": rows})


def commitment_choices(request: Request) -> list[dict[str, object]]:
    """Slugs and titles for the subscription forms' commitment filter."""
    with db(request) as session:
        return list_commitments(session)


__all__ = ["commitment_choices", "router"]
