"""The Atom feed of new evidence and status changes, overall, per commitment or per theme."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, Request, Response

from storage.feed_entries import feed_entries
from storage.queries import NotFound
from storage.web_queries import commitments_updated
from web.api import SLUG, ThemeName, etag_response
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
