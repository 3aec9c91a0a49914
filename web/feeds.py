"""Atom feeds: new evidence and status changes, and the status changes alone; overall, per commitment or theme."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, Request, Response

from storage.feed_entries import feed_entries
from storage.queries import NotFound
from storage.status_history import status_history
from storage.web_queries import commitments_updated
from web.api import SLUG, Since, ThemeName, _utc, etag_response
from web.i18n import Translator, pick_language
from web.links import public_url
from web.render import db, settings_of

router = APIRouter(tags=["feeds"])

ATOM = "application/atom+xml; charset=utf-8"


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


@router.get(
    "/feeds/evidence.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed."}, 404: {}},
)
def evidence_feed(
    request: Request,
    commitment: Annotated[str | None, Query(max_length=100, pattern=SLUG)] = None,
    theme: ThemeName | None = None,
    lang: Annotated[str | None, Query(pattern="^(fr|en)$")] = None,
) -> Response:
    """New evidence and status changes, newest first (50 entries), as Atom 1.0."""
    language = pick_language(lang, request.headers.get("accept-language"))
    with db(request) as session:
        try:
            entries = feed_entries(session, commitment=commitment, theme=theme)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        fallback_updated = commitments_updated(session) or "2025-02-11T00:00:00+00:00"
    base = settings_of(request).base_url
    host = urlsplit(base).hostname or "summitwatch.localhost"
    env = request.app.state.jinja
    body = env.get_template("evidence.atom").render(
        entries=entries,
        updated=max((e["updated"] for e in entries), default=fallback_updated, key=_instant),
        base=base,
        host=host,
        self_url=public_url(request),
        commitment=commitment,
        theme=theme,
        lang=language,
        t=Translator(language),
    )
    return etag_response(request, body.encode("utf-8"), media_type=ATOM)


@router.get(
    "/feeds/status-changes.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom 1.0 feed."}, 404: {}},
)
def status_changes_feed(
    request: Request,
    commitment: Annotated[str | None, Query(max_length=100, pattern=SLUG)] = None,
    theme: ThemeName | None = None,
    since: Since = None,
    lang: Annotated[str | None, Query(pattern="^(fr|en)$")] = None,
) -> Response:
    """Status changes, newest first (the last 50), as Atom 1.0: to follow a commitment or a theme."""
    language = pick_language(lang, request.headers.get("accept-language"))
    with db(request) as session:
        try:
            entries = status_history(session, commitment, theme, _utc(since))[-50:][::-1]
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        fallback_updated = commitments_updated(session) or "2025-02-11T00:00:00+00:00"
    base = settings_of(request).base_url
    body = request.app.state.jinja.get_template("status_changes.atom").render(
        entries=entries,
        updated=entries[0]["changed_at"] if entries else fallback_updated,
        base=base,
        host=urlsplit(base).hostname or "summitwatch.localhost",
        self_url=public_url(request),
        commitment=commitment,
        theme=theme,
        lang=language,
        t=Translator(language),
    )
    return etag_response(request, body.encode("utf-8"), media_type=ATOM)
