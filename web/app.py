"""The FastAPI application: routers, error pages, security headers, static files."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from storage.errors import DATABASE_ERRORS, describe
from storage.queries import NotFound
from summitwatch.config import Settings, __version__, get_settings
from web import (
    api,
    api_citations,
    api_events,
    api_stats,
    feeds,
    health,
    methodology,
    pages,
    publication_pages,
    review,
    subscribe,
)
from web.api_docs import mount_docs
from web.guards import LimitBody, RefuseNul
from web.i18n import Translator
from web.render import STATIC, language, make_environment, render
from web.security import Csrf, CsrfError, RateLimiter, ReviewSession, SecurityHeaders
from web.server_errors import AnswerErrors

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# Threads running the (synchronous) routes at once. Starlette's default, 40, lets 20 busy
# clients run 20 routes that mostly fight over the GIL: at 100,000 publications four
# threads serve about 1.5 times the requests per second with a third of the p95 latency,
# and still overlap one route's database wait with another's Python.
ROUTE_THREADS = 4

DESCRIPTION = """Read-only access to the summitwatch tracker: the Paris AI Action Summit commitments,
where each stands, the evidence behind it, the publications gathered and the health of the sources.

Listings are paged (`page`, `per_page`; follow `next`) on a stable order ending with a unique id.
JSON answers carry an `ETag`: send it back in `If-None-Match` to get `304 Not Modified`.
"""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/feeds/", "/healthz", "/readyz", "/unsubscribe/one-click"))


def message_page(
    request: Request, status_code: int, title_key: str, text: str, kind: str = "error"
) -> Response:
    t = Translator(language(request))
    return render(
        request,
        "message.html",
        {"title": t(title_key), "lines": [text], "kind": kind, "action_url": None, "action_text": ""},
        status_code=status_code,
    )


class RouteThreads:
    """ASGI middleware: sets the event loop's thread limit for sync routes to ROUTE_THREADS.

    The limit belongs to each event loop (anyio's default limiter), so it is set from
    inside the loop, on its first request: this works with or without a lifespan.
    """

    def __init__(self, app: ASGIApp, threads: int) -> None:
        self.app = app
        self.threads = threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        if limiter.total_tokens != self.threads:
            limiter.total_tokens = self.threads
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A fresh app for `settings` (default: the process settings); each app has its own rate limits."""
    settings = settings or get_settings()
    app = FastAPI(
        title="summitwatch API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by web.api_docs from local assets
        redoc_url=None,
    )
    key = settings.signing_key()
    base = urlsplit(settings.base_url)
    app.state.settings = settings
    app.state.jinja = make_environment()
    app.state.csrf = Csrf(
        key,
        {f"{base.scheme}://{base.netloc}".lower()},
        secure_cookies=settings.base_url.startswith("https://"),
    )
    app.state.review_session = ReviewSession(key)
    app.state.limit_client = RateLimiter(settings.web.subscribe_per_client_per_hour)
    app.state.limit_email = RateLimiter(settings.web.subscribe_per_email_per_hour)
    app.state.dashboard_cache = {}

    # Innermost first: each one added wraps those before it.
    app.add_middleware(LimitBody, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(AnswerErrors)  # a failing route answers 500 and the connection stays open
    app.add_middleware(RefuseNul)
    app.add_middleware(SecurityHeaders, csrf=app.state.csrf)  # every answer gets them
    app.add_middleware(RouteThreads, threads=ROUTE_THREADS)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    mount_docs(app, "/api/openapi.json", app.title)
    routers = (
        pages.router,
        publication_pages.router,
        methodology.router,
        subscribe.router,
        review.router,
        api.router,
        api_events.router,
        api_stats.router,
        api_citations.router,
    )
    for router in (*routers, feeds.router, health.router):
        app.include_router(router)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return message_page(request, 404, "not_found_title", str(exc))

    @app.exception_handler(CsrfError)
    async def csrf_refused(request: Request, exc: CsrfError) -> Response:
        t = Translator(language(request))
        return message_page(request, 403, "bad_form_title", f"{t('bad_form')} ({exc})")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request) or exc.status_code not in (404, 405):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        t = Translator(language(request))
        if exc.status_code == 404:
            return message_page(request, 404, "not_found_title", t("not_found"))
        return message_page(request, 405, "error_title", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        problems = [
            f"{'.'.join(str(p) for p in error['loc'][1:]) or error['loc'][0]}: {error['msg']}"
            for error in exc.errors()
        ]
        return message_page(request, 400, "error_title", "; ".join(problems))

    for error_type in DATABASE_ERRORS:

        @app.exception_handler(error_type)
        async def database_down(request: Request, exc: Exception) -> Response:
            logger.error("database error on %s: %s", request.url.path, describe(exc))
            detail = "database unavailable; please try again later"
            if _is_api(request):
                return JSONResponse({"detail": detail}, status_code=503)
            return message_page(request, 503, "error_title", detail)

    return app
