"""The read-only JSON API under /api/v1, with ETag revalidation and CSV exports.

Listings are paged (`page`, `per_page`, and a `next` link) on a stable order that
always ends with a unique id, so walking the pages never skips or repeats a row.
JSON answers carry a strong ETag (hash of the body); `If-None-Match` gives 304.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from storage.criteria_read import commitment_criteria
from storage.csv_cells import safe_cell
from storage.db import session_scope
from storage.models import SIGNALS, STATUSES, THEMES
from storage.queries import NotFound, get_commitment, list_sources
from storage.web_queries import (
    commitment_list,
    commitment_with_history,
    evidence_csv_rows,
    evidence_page,
    publications_page,
    source_options,
)
from web.links import public_url
from web.render import db, settings_of

router = APIRouter(prefix="/api/v1", tags=["api"])

StatusName = Literal["not_rated", "in_progress", "achieved", "partially_achieved", "stalled", "broken"]
ThemeName = Literal["governance", "security", "safety", "public-interest", "investment", "sustainability"]
SignalName = Literal["mention", "progress", "achieved", "setback"]
if (
    set(get_args(StatusName)) != set(STATUSES)
    or set(get_args(ThemeName)) != set(THEMES)
    or set(get_args(SignalName)) != set(SIGNALS)
):  # pragma: no cover - caught at import, in every test run
    raise RuntimeError("web.api's vocabularies drifted from storage.models")

SLUG = r"^[a-z0-9][a-z0-9-]*$"
NOT_MODIFIED = {304: {"description": "Not modified: the ETag given in If-None-Match is current."}}
T = TypeVar("T")


# --- response shapes (documentation; the dicts come from storage) -----------------------


class Localised(BaseModel):
    fr: str | None
    en: str | None


class Commitment(BaseModel):
    model_config = ConfigDict(extra="allow")
    slug: str
    title: Localised
    theme: str
    actors: list[str]
    summit: str
    made_on: str
    deadline: str | None
    status: str
    status_since: str | None
    evidence_count: int
    last_evidence_at: str | None
    source_url: str


class PublicationRef(BaseModel):
    url: str
    title: str
    source: str
    published_at: str | None = Field(
        description="as the page gave it: a day as YYYY-MM-DD, a time as ISO 8601 with the configured "
        "zone's offset; null when undated"
    )
    date_precision: str | None = Field(None, description="time, day, month or year")
    language: str | None


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    commitment: str
    publication: PublicationRef
    score: float
    signal: str
    excerpt: str
    matched_terms: list[str]
    cue: str | None
    background: bool
    proposed_status: str | None
    review_state: str
    created_at: str | None


class StatusChangeItem(BaseModel):
    commitment: str
    old_status: str
    new_status: str
    changed_at: str | None = Field(description="the date the status holds from: its evidence's publication")
    changed_by: str = Field(description="'auto' or the reviewer's name")
    note: str | None
    evidence_url: str | None


class CommitmentDetail(Commitment):
    criteria: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict, description="what counts as progress, as done, as failure (fr and en)"
    )
    description: Localised
    deadline_note: Localised | None
    history: list[StatusChangeItem]
    evidence: list[EvidenceItem]
    evidence_url: str


class PublicationItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    url: str
    source: str
    title: str
    published_at: str | None = Field(
        description="as the page gave it: a day as YYYY-MM-DD, a time as ISO 8601 with the configured "
        "zone's offset; null when undated"
    )
    date_precision: str | None = Field(None, description="time, day, month or year")
    modified_at: str | None
    language: str | None
    summary: str | None
    tags: list[str]
    first_seen_at: str | None
    fetched_via: str
    extracted_by: str
    revisions: int


class SourceItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    slug: str
    name: str
    homepage: str
    enabled: bool
    publications: int
    health: str = Field(description="ok, degraded or failing (or 'never crawled', 'running')")
    health_reasons: list[str] = Field(default_factory=list, description="why it is not ok, in full")
    last_run: dict[str, Any] | None


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    per_page: int
    next: str | None


# --- helpers ---------------------------------------------------------------------------

PageNo = Annotated[int, Query(ge=1, le=10_000, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=200, description="Rows per page.")]
Since = Annotated[
    datetime | None,
    Query(description="ISO 8601 date or date-time; without a zone it is read as UTC."),
]


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC, whatever was given; a value that cannot be expressed in UTC is a 422."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as exc:
        raise HTTPException(422, f"date out of range: {value.isoformat()}") from exc


def etag_response(request: Request, data: Any, media_type: str = "application/json") -> Response:
    """`data` (JSON-encoded unless bytes) with a strong ETag; 304 without a body when If-None-Match has it."""
    if isinstance(data, bytes):
        body = data
    else:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    wanted = request.headers.get("if-none-match", "")
    candidates = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
    if etag in candidates or "*" in candidates:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _paged(
    request: Request, items: list[dict[str, Any]], page: int, per_page: int, has_next: bool
) -> Response:
    next_url = public_url(request, page=page + 1, per_page=per_page) if has_next else None
    return etag_response(request, {"items": items, "page": page, "per_page": per_page, "next": next_url})


def _not_found(message: str) -> HTTPException:
    return HTTPException(status_code=404, detail=message)


def _csv_stream(fieldnames: list[str], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\r\n")
    writer.writeheader()
    for count, row in enumerate(rows, 1):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_response(name: str, chunks: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-cache"},
    )


# --- routes ----------------------------------------------------------------------------


@router.get("/commitments", response_model=Page[Commitment], responses=NOT_MODIFIED)
def commitments(
    request: Request,
    status: StatusName | None = None,
    theme: ThemeName | None = None,
    actor: Annotated[str | None, Query(max_length=100, description="Part of an actor's name.")] = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Response:
    """The commitments (filterable by status, theme, actor), in baseline order."""
    with db(request) as session:
        rows = commitment_list(session, status=status, theme=theme, actor=actor)
    start = (page - 1) * per_page
    return _paged(request, rows[start : start + per_page], page, per_page, len(rows) > start + per_page)


COMMITMENT_CSV_FIELDS = [
    "slug",
    "title_fr",
    "title_en",
    "theme",
    "actors",
    "summit",
    "made_on",
    "deadline",
    "status",
    "status_since",
    "evidence_count",
    "last_evidence_at",
    "source_url",
]


@router.get(
    "/commitments.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Commitments as CSV."}},
)
def commitments_csv(
    request: Request,
    status: StatusName | None = None,
    theme: ThemeName | None = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
) -> StreamingResponse:
    """The commitments as CSV (UTF-8, one row each; actors joined by ' | ')."""
    with db(request) as session:
        rows = commitment_list(session, status=status, theme=theme, actor=actor)
    flat = (
        {
            **{k: row[k] for k in COMMITMENT_CSV_FIELDS if k in row},
            "title_fr": row["title"]["fr"],
            "title_en": row["title"]["en"],
            "actors": " | ".join(row["actors"]),
        }
        for row in rows
    )
    return _csv_response("commitments.csv", _csv_stream(COMMITMENT_CSV_FIELDS, flat))


@router.get("/commitments/{slug}", response_model=CommitmentDetail, responses={**NOT_MODIFIED, 404: {}})
def commitment(
    request: Request,
    slug: Annotated[str, Path(max_length=100, pattern=SLUG)],
) -> Response:
    """One commitment with its full status history and its 20 newest pieces of evidence."""
    with db(request) as session:
        try:
            detail = commitment_with_history(session, slug)
        except NotFound as exc:
            raise _not_found(str(exc)) from exc
        detail["criteria"] = commitment_criteria(session, slug)
    detail["evidence_url"] = public_url(request, request.app.url_path_for("evidence"), commitment=slug)
    return etag_response(request, detail)


@router.get("/evidence", response_model=Page[EvidenceItem], responses={**NOT_MODIFIED, 404: {}})
def evidence(
    request: Request,
    commitment: Annotated[str | None, Query(max_length=100, pattern=SLUG)] = None,
    signal: SignalName | None = None,
    since: Since = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Response:
    """Evidence, newest publication first (rejected links left out)."""
    with db(request) as session:
        try:
            rows, has_next = evidence_page(
                session, commitment, signal, _utc(since), page=page, per_page=per_page
            )
        except NotFound as exc:
            raise _not_found(str(exc)) from exc
    return _paged(request, rows, page, per_page, has_next)


EVIDENCE_CSV_FIELDS = [
    "id",
    "commitment",
    "signal",
    "score",
    "review_state",
    "proposed_status",
    "publication_title",
    "publication_url",
    "source",
    "published_at",
    "excerpt",
    "matched_terms",
    "created_at",
]


@router.get(
    "/evidence.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Evidence as CSV."}, 404: {}},
)
def evidence_csv(
    request: Request,
    commitment: Annotated[str | None, Query(max_length=100, pattern=SLUG)] = None,
    signal: SignalName | None = None,
    since: Since = None,
) -> StreamingResponse:
    """All matching evidence as CSV, streamed."""
    since_utc = _utc(since)
    url = settings_of(request).effective_database_url
    if commitment:
        with db(request) as session:
            try:
                get_commitment(session, commitment)
            except NotFound as exc:
                raise _not_found(str(exc)) from exc

    def rows() -> Iterator[dict[str, Any]]:
        with session_scope(url) as session:
            yield from evidence_csv_rows(session, commitment, signal, since_utc)

    return _csv_response("evidence.csv", _csv_stream(EVIDENCE_CSV_FIELDS, rows()))


@router.get("/publications", response_model=Page[PublicationItem], responses={**NOT_MODIFIED, 404: {}})
def publications(
    request: Request,
    search: Annotated[
        str | None, Query(max_length=200, description="Words that must all appear (full-text).")
    ] = None,
    source: Annotated[str | None, Query(max_length=40, pattern=SLUG)] = None,
    since: Since = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> Response:
    """Publications, newest first; `search` runs the full-text index (French stemming on PostgreSQL)."""
    with db(request) as session:
        if source and source not in {s["slug"] for s in source_options(session)}:
            raise _not_found(f"no source with slug {source!r}")
        rows, has_next = publications_page(
            session, source=source, since=_utc(since), search=search, page=page, per_page=per_page
        )
    return _paged(request, rows, page, per_page, has_next)


@router.get("/sources", response_model=list[SourceItem], responses=NOT_MODIFIED)
def sources(request: Request) -> Response:
    """Each source with its publication count, last crawl run and health."""
    with db(request) as session:
        rows = list_sources(session)
    return etag_response(request, rows)
