"""`/api/v1/events`: one item per happening, with the publications that reported it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from storage.events import list_events
from storage.queries import NotFound, get_commitment
from web.api import NOT_MODIFIED, SLUG, Page, PageNo, PerPage, Since, _not_found, _paged, _utc
from web.render import db

router = APIRouter(prefix="/api/v1", tags=["api"])


class EventPublication(BaseModel):
    url: str
    title: str
    source: str
    language: str | None
    published_at: str | None
    date_precision: str | None
    score: float | None


class EventItem(BaseModel):
    id: int
    title: str
    commitments: list[str]
    first_published_at: str | None
    confirmed: bool
    publications: list[EventPublication]


@router.get("/events", response_model=Page[EventItem], responses={**NOT_MODIFIED, 404: {}})
def events(
    request: Request,
    commitment: Annotated[str | None, Query(max_length=100, pattern=SLUG)] = None,
    since: Since = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> Response:
    """Events newest first; `commitment` keeps those with a publication linked to it."""
    with db(request) as session:
        if commitment is not None:
            try:
                get_commitment(session, commitment)
            except NotFound as exc:
                raise _not_found(str(exc)) from None
        rows = list_events(session, commitment, _utc(since), limit=per_page + 1, offset=(page - 1) * per_page)
    items = [r.as_dict() for r in rows[:per_page]]
    return _paged(request, items, page, per_page, len(rows) > per_page)
