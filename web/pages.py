"""The public HTML pages: dashboard, one commitment, publication search, sources."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from datetime import time as day_start
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from storage.activity import monthly_activity
from storage.criteria_read import commitment_criteria
from storage.models import SIGNALS, STATUSES, THEMES
from storage.overview import Filters, matching_slugs, overview
from storage.queries import list_sources
from storage.search_results import SORTS, search_publications
from storage.status_history import commitment_citation
from storage.web_queries import (
    commitment_page,
    commitment_rows,
    commitment_titles,
    data_generation,
    filter_options,
    publications_page,
    source_options,
)
from web.charts import SIGNAL_COLOURS, STATUS_CHANGE_COLOUR, status_bar, timelines
from web.citations import commitment_text
from web.i18n import Translator
from web.render import db, language, render, settings_of

router = APIRouter(include_in_schema=False)

PARIS = ZoneInfo("Europe/Paris")
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
_dashboard_lock = threading.Lock()  # guards each app's cache dict
_dashboard_build = threading.Lock()  # one rebuild at a time, whatever the key


class _Dashboard:
    """One cache entry: the rows, the filter options, and the pages rendered from them."""

    def __init__(
        self, rows: list[dict[str, Any]], options: dict[str, Any], figures: dict[str, Any], generation: int
    ) -> None:
        self.built = time.monotonic()
        self.generation = generation  # `data_generation()` before the rows were read
        self.rows = rows
        self.options = options
        self.figures = figures  # `storage.overview.overview` of the same filters
        self.activity: list[dict[str, Any]] = []  # `storage.activity.monthly_activity` of the same rows
        self.pages: dict[tuple[str, str], bytes] = {}  # (language, query string) -> HTML


def _fresh(entry: _Dashboard) -> bool:
    return entry.generation == data_generation() and time.monotonic() - entry.built < DASHBOARD_TTL


def _dashboard_rows(session: Any, filters: Filters) -> list[dict[str, Any]]:
    rows = commitment_rows(session, status=filters.status, theme=filters.theme, actor=filters.actor)
    if filters.signal or filters.changed_since:
        kept = set(matching_slugs(session, filters))
        rows = [row for row in rows if row["slug"] in kept]
    return rows


def _dashboard_data(request: Request, filters: Filters) -> _Dashboard:
    """The dashboard's rows, kept DASHBOARD_TTL seconds, or until this process writes to the
    database (a review shows at once).

    One request rebuilds an expired entry while the others keep serving the previous
    one; only when there is none yet do they wait for it (and then share it).
    """
    key = (
        filters.status,
        filters.theme,
        (filters.actor or "").casefold(),
        filters.signal,
        filters.changed_since.isoformat() if filters.changed_since else None,
    )
    cache: dict[tuple[str | None, ...], _Dashboard] = request.app.state.dashboard_cache  # one per app
    with _dashboard_lock:
        hit = cache.get(key)
    if hit is not None and _fresh(hit):
        return hit
    if not _dashboard_build.acquire(blocking=hit is None):
        return hit  # being rebuilt: the previous rows meanwhile
    try:
        with _dashboard_lock:
            fresh = cache.get(key)
        if fresh is not None and fresh is not hit and _fresh(fresh):
            return fresh  # built while this request waited
        generation = data_generation()
        with db(request) as session:
            entry = _Dashboard(
                _dashboard_rows(session, filters),
                filter_options(session),
                overview(session, filters),
                generation,
            )
            filtered = any(
                (filters.status, filters.theme, filters.actor, filters.signal, filters.changed_since)
            )
            entry.activity = monthly_activity(session, [r["slug"] for r in entry.rows] if filtered else None)
        with _dashboard_lock:
            if len(cache) > 500:
                cache.clear()
            cache[key] = entry
        return entry
    finally:
        _dashboard_build.release()


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """The overview (counts by status, kept rate, overdue, per theme), then every commitment with
    its status, last evidence and days since; filters by theme, actor, status, signal, changed since.

    The page is the same for everyone asking in the same language with the same query
    string (it has no form token), so it is rendered once per cache entry.
    """
    params = request.query_params
    status = _choice(params.get("status"), STATUSES)
    theme = _choice(params.get("theme"), THEMES)
    actor = (params.get("actor") or "").strip()[:100] or None
    if actor:
        actor = Translator(language(request)).stored_actor(actor)  # "gouvernement" finds "French government"
    signal = _choice(params.get("signal"), SIGNALS)
    since = _day(params.get("since"))
    filters = Filters(status=status, theme=theme, actor=actor, signal=signal, changed_since=since)
    entry = _dashboard_data(request, filters)
    lang = language(request)
    page_key = (lang, request.url.query)
    html = entry.pages.get(page_key)
    if html is not None:
        return HTMLResponse(html, headers={"Content-Language": lang, "Vary": "Accept-Language, Cookie"})
    response = render(
        request,
        "dashboard.html",
        {
            "rows": entry.rows,
            "figures": entry.figures,
            "bar": status_bar(entry.figures["by_status"]),
            "months": entry.activity,
            "chart": timelines(entry.activity),
            "signal_colours": SIGNAL_COLOURS,
            "change_colour": STATUS_CHANGE_COLOUR,
            "statuses": STATUSES,
            "themes": THEMES,
            "signals": SIGNALS,
            "actors": entry.options["actors"],
            "selected": {
                "status": status,
                "theme": theme,
                "actor": actor,
                "signal": signal,
                "since": since.date().isoformat() if since else "",
            },
        },
        lang=lang,
    )
    if len(entry.pages) < 64 and len(page_key[1]) <= 300:
        entry.pages[page_key] = bytes(response.body)
    return response


PAGE_TTL = 30.0  # seconds, as the dashboard's
PAGE_CACHE_SIZE = 256
_page_caches_lock = threading.Lock()


class PageCache:
    """Rendered pages that are the same for every visitor (no form token, no session), by key.

    An entry is served while younger than PAGE_TTL and while this process has written
    nothing to the database since it was read (`data_generation`): a review shows at
    once, a crawl by another process within PAGE_TTL. At most PAGE_CACHE_SIZE entries,
    the least recently used dropped first.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, int, bytes]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            built, generation, body = entry
            if generation != data_generation() or time.monotonic() - built >= PAGE_TTL:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return body

    def put(self, key: tuple[Any, ...], generation: int, body: bytes) -> None:
        """Keep `body`, read when `data_generation()` was `generation`."""
        with self._lock:
            self._entries[key] = (time.monotonic(), generation, body)
            self._entries.move_to_end(key)
            while len(self._entries) > PAGE_CACHE_SIZE:
                self._entries.popitem(last=False)


def page_cache(request: Request) -> PageCache:
    """The app's page cache (one per app: each app may have its own database)."""
    cache: PageCache | None = getattr(request.app.state, "page_cache", None)
    if cache is None:
        with _page_caches_lock:
            cache = getattr(request.app.state, "page_cache", None)
            if cache is None:
                cache = request.app.state.page_cache = PageCache()
    return cache


@router.get("/commitments/{slug}", response_class=HTMLResponse)
def commitment(request: Request, slug: str) -> HTMLResponse:
    """A commitment: description, source, deadline, and a timeline of evidence and status changes.

    The same for everyone asking in the same language with the same query string (it has
    no form token): rendered pages are kept in the app's `PageCache`.
    """
    page = _page(request.query_params.get("page"))
    lang = language(request)
    cache = page_cache(request) if len(request.url.query) <= 300 else None
    key = ("commitment", slug[:100], page, TIMELINE_PER_PAGE, lang, request.url.query)
    html = cache.get(key) if cache is not None else None
    if html is not None:
        return HTMLResponse(html, headers={"Content-Language": lang, "Vary": "Accept-Language, Cookie"})
    generation = data_generation()
    with db(request) as session:
        detail = commitment_page(session, slug[:100], page=page, per_page=TIMELINE_PER_PAGE)
        months = monthly_activity(session, [detail["slug"]])
        facts = commitment_citation(session, detail["slug"])
        criteria = commitment_criteria(session, slug[:100])
    page_url = f"{settings_of(request).base_url}/commitments/{detail['slug']}"
    today = datetime.now(UTC).astimezone(PARIS).date()
    context = {
        "c": detail,
        "criteria": criteria,
        "months": months,
        "chart": timelines(months),
        "signal_colours": SIGNAL_COLOURS,
        "change_colour": STATUS_CHANGE_COLOUR,
        "citation": commitment_text(facts, page_url, today, Translator(lang)),
    }
    response = render(request, "commitment.html", context, lang=lang)
    if cache is not None:
        cache.put(key, generation, bytes(response.body))
    return response


@router.get("/publications", response_class=HTMLResponse)
def publications(request: Request) -> HTMLResponse:
    """Full-text search over the publications, with source and date filters, paginated."""
    params = request.query_params
    search = (params.get("q") or "").strip()[:200]
    source = (params.get("source") or "").strip()[:40] or None
    since, until = _day(params.get("since")), _day(params.get("until"))
    page = _page(params.get("page"))
    sort = params.get("sort") if params.get("sort") in SORTS else "date"
    found = None
    with db(request) as session:
        sources = source_options(session)
        known = {s["slug"] for s in sources}
        filters = {"source": source if source in known else None, "since": since, "until": until}
        if search:
            found = search_publications(
                session, search, **filters, page=page, per_page=PUBLICATIONS_PER_PAGE, sort=sort
            )
        if found is not None:  # words to search: the passages that matched, their count
            rows, has_next = found.rows, found.has_next
        else:
            rows, has_next = publications_page(
                session, **filters, search=None, page=page, per_page=PUBLICATIONS_PER_PAGE
            )
    return render(
        request,
        "publications.html",
        {
            "rows": rows,
            "has_next": has_next,
            "page": page,
            "sources": sources,
            "found": found,
            "sorts": SORTS,
            "sort": sort,
            "selected": {
                "q": search,
                "source": source if source in known else "",
                "since": since.date().isoformat() if since else "",
                "until": until.date().isoformat() if until else "",
                **({"sort": sort} if found is not None and sort != "date" else {}),
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
        return commitment_titles(session)


__all__ = ["commitment_choices", "router"]
