"""`/api/v1/stats`: where the commitments stand, the figures the dashboard opens with."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from storage.overview import Filters, overview
from web.api import NOT_MODIFIED, SignalName, StatusName, ThemeName, _utc, etag_response
from web.render import db

router = APIRouter(prefix="/api/v1", tags=["api"])


class KeptRate(BaseModel):
    rate: float | None = Field(description="numerator ÷ denominator, None while nothing is resolved")
    numerator: int = Field(description="achieved commitments")
    denominator: int = Field(description="resolved commitments: achieved, partially achieved or broken")


class Figures(BaseModel):
    total: int
    by_status: dict[str, int] = Field(description="every status, zero included, in vocabulary order")
    kept_rate: KeptRate
    overdue: int = Field(description="deadline passed and not resolved")
    overdue_commitments: list[str]


class ThemeFigures(Figures):
    theme: str


class Stats(Figures):
    by_theme: list[ThemeFigures]
    as_of: str = Field(description="the day overdue is reckoned from")
    resolved_statuses: list[str]


@router.get("/stats", response_model=Stats, responses=NOT_MODIFIED)
def stats(
    request: Request,
    status: StatusName | None = None,
    theme: ThemeName | None = None,
    actor: Annotated[str | None, Query(max_length=100, description="Part of an actor's name.")] = None,
    signal: Annotated[
        SignalName | None, Query(description="Commitments with evidence of this signal.")
    ] = None,
    changed_since: Annotated[
        datetime | None,
        Query(
            description="Commitments with evidence or a status change since (ISO 8601; UTC without a zone)."
        ),
    ] = None,
    today: Annotated[date | None, Query(description="Reckon overdue from this day (default today).")] = None,
) -> Response:
    """Counts by status, kept rate (achieved ÷ resolved, with both counts), overdue count, per theme."""
    filters = Filters(status, theme, actor, signal, _utc(changed_since))
    with db(request) as session:
        figures = overview(session, filters, today=today)
    return etag_response(request, figures)
