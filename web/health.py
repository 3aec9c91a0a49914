"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from storage.web_queries import readiness
from web.render import settings_of

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up and answering; says nothing of the database."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Not ready: database unreachable or not migrated."}})
def readyz(request: Request) -> JSONResponse:
    """Ready to serve: the database answers and its schema is at the newest migration."""
    ok, detail = readiness(settings_of(request).effective_database_url)
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "detail": detail}, status_code=200 if ok else 503
    )
