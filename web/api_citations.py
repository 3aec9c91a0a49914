"""Citations (text, BibTeX, CSL-JSON) and the status history export (JSON, CSV) under /api/v1."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from storage.models import MAX_ID
from storage.queries import NotFound
from storage.status_history import HISTORY_FIELDS, commitment_citation, evidence_citation, status_history
from web.api import (
    NOT_MODIFIED,
    SLUG,
    Since,
    ThemeName,
    _csv_response,
    _csv_stream,
    _not_found,
    _utc,
    etag_response,
)
from web.citations import MEDIA_TYPES, SUFFIXES, cite
from web.i18n import Translator, pick_language
from web.render import db, settings_of

router = APIRouter(prefix="/api/v1", tags=["api"])
PARIS = ZoneInfo("Europe/Paris")

CitationFormat = Literal["text", "bibtex", "csl-json"]
Language = Annotated[
    Literal["fr", "en"] | None, Query(description="Language of the words (default: Accept-Language).")
]
Format = Annotated[CitationFormat, Query(description="text, bibtex (biblatex @online) or csl-json.")]
CITATION = {200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The citation."}, 404: {}}


class StatusChangeRow(BaseModel):
    id: int
    commitment: str
    title_fr: str
    title_en: str
    theme: str
    old_status: str
    new_status: str
    changed_at: str | None
    changed_by: str
    note: str | None
    evidence_title: str | None
    evidence_url: str | None


def _citation(request: Request, text: str, fmt: str, name: str) -> Response:
    response = etag_response(request, text.encode("utf-8"), media_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{SUFFIXES[fmt]}"'
    return response


def _today() -> datetime:
    return datetime.now(UTC).astimezone(PARIS)


@router.get("/commitments/{slug}/citation", response_class=Response, responses=CITATION)
def commitment_citation_route(
    request: Request,
    slug: Annotated[str, Path(max_length=100, pattern=SLUG)],
    format: Format = "text",
    lang: Language = None,
) -> Response:
    """How to cite a commitment's standing: title, status and since when, as of today, source text, URL."""
    t = Translator(pick_language(lang, request.headers.get("accept-language")))
    with db(request) as session:
        try:
            facts = commitment_citation(session, slug)
        except NotFound as exc:
            raise _not_found(str(exc)) from exc
    url = f"{settings_of(request).base_url}/commitments/{slug}"
    return _citation(request, cite(facts, format, url, _today().date(), t), format, f"summitwatch-{slug}")


@router.get("/evidence/{evidence_id}/citation", response_class=Response, responses=CITATION)
def evidence_citation_route(
    request: Request,
    evidence_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    format: Format = "text",
    lang: Language = None,
) -> Response:
    """How to cite a piece of evidence: the publication (source, title, date, URL) and what it shows."""
    t = Translator(pick_language(lang, request.headers.get("accept-language")))
    with db(request) as session:
        try:
            facts = evidence_citation(session, evidence_id)
        except NotFound as exc:
            raise _not_found(str(exc)) from exc
    url = f"{settings_of(request).base_url}/commitments/{facts['commitment']['slug']}"
    name = f"summitwatch-evidence-{evidence_id}"
    return _citation(request, cite(facts, format, url, _today().date(), t), format, name)


HistoryCommitment = Annotated[str | None, Query(max_length=100, pattern=SLUG)]
Until = Annotated[datetime | None, Query(description="Before this date or date-time (exclusive).")]


def _history(
    request: Request,
    commitment: str | None,
    theme: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[dict[str, object]]:
    with db(request) as session:
        try:
            return status_history(session, commitment, theme, _utc(since), _utc(until))
        except NotFound as exc:
            raise _not_found(str(exc)) from exc


@router.get("/status-history", response_model=list[StatusChangeRow], responses={**NOT_MODIFIED, 404: {}})
def status_history_json(
    request: Request,
    commitment: HistoryCommitment = None,
    theme: ThemeName | None = None,
    since: Since = None,
    until: Until = None,
) -> Response:
    """Every status change, oldest first: commitment, old → new, when, by whom, the evidence behind it."""
    return etag_response(request, _history(request, commitment, theme, since, until))


@router.get(
    "/status-history.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Status history as CSV."}, 404: {}},
)
def status_history_csv(
    request: Request,
    commitment: HistoryCommitment = None,
    theme: ThemeName | None = None,
    since: Since = None,
    until: Until = None,
) -> StreamingResponse:
    """The status history as CSV (UTF-8, one row per change, oldest first)."""
    rows = _history(request, commitment, theme, since, until)
    return _csv_response("status-history.csv", _csv_stream(HISTORY_FIELDS, iter(rows)))
