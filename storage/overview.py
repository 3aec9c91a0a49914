"""Where the commitments stand at a glance: counts by status, kept rate, overdue, per theme.

One read model for every surface (dashboard, `/api/v1/stats`, `commitments stats`, the
digest header), so the figures cannot disagree. Definitions, as trackers of promises
publish them (overduetracker: "kept = met ÷ resolved"):

- *resolved*: a status that will not move without new facts: achieved, partially
  achieved, broken;
- *kept rate*: achieved ÷ resolved (partially achieved counts in the denominator only),
  None while nothing is resolved;
- *overdue*: the deadline has passed, the commitment is not resolved, and no accepted
  progress evidence reports it done, in time or late (the digest's rule, storage.digest_data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.digest_data import progress_reported
from storage.models import STATUSES, THEMES, Commitment, Evidence, Publication, StatusChange

RESOLVED = ("achieved", "partially_achieved", "broken")

__all__ = ["RESOLVED", "Filters", "kept_rate", "matching_slugs", "overview"]


@dataclass(frozen=True)
class Filters:
    """What the dashboard, the API and the CLI may narrow the figures to."""

    status: str | None = None
    theme: str | None = None
    actor: str | None = None
    signal: str | None = None  # commitments with (non-rejected) evidence of this signal
    changed_since: datetime | None = None  # a status change, or evidence published, on or after


def _moved_since(session: Session, since: datetime, signal: str | None) -> set[int]:
    """Commitments with evidence (of `signal`, when given) published or found since `since`,
    or, with no signal asked for, a status change since then."""
    evidence = (
        select(Evidence.commitment_id)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(Evidence.review_state != "rejected")
        .where(or_(Publication.published_at >= since, Evidence.created_at >= since))
    )
    if signal:
        evidence = evidence.where(Evidence.signal == signal)
    ids = set(session.scalars(evidence))
    if not signal:
        ids |= set(
            session.scalars(select(StatusChange.commitment_id).where(StatusChange.changed_at >= since))
        )
    return ids


def _with_signal(session: Session, signal: str) -> set[int]:
    query = select(Evidence.commitment_id).where(
        Evidence.review_state != "rejected", Evidence.signal == signal
    )
    return set(session.scalars(query))


def _selected(session: Session, filters: Filters) -> list[Commitment]:
    query = select(Commitment).order_by(Commitment.id)
    if filters.status:
        query = query.where(Commitment.status == filters.status)
    if filters.theme:
        query = query.where(Commitment.theme == filters.theme)
    commitments = list(session.scalars(query))
    if filters.actor:
        needle = filters.actor.casefold()
        commitments = [c for c in commitments if any(needle in a.casefold() for a in c.actors)]
    if filters.changed_since is not None:
        moved = _moved_since(session, filters.changed_since, filters.signal)
        commitments = [c for c in commitments if c.id in moved]
    elif filters.signal:
        signalled = _with_signal(session, filters.signal)
        commitments = [c for c in commitments if c.id in signalled]
    return commitments


def kept_rate(by_status: dict[str, int]) -> dict[str, Any]:
    """achieved ÷ resolved, with both counts (the rate is None while nothing is resolved)."""
    numerator = by_status.get("achieved", 0)
    denominator = sum(by_status.get(s, 0) for s in RESOLVED)
    return {
        "rate": round(numerator / denominator, 4) if denominator else None,
        "numerator": numerator,
        "denominator": denominator,
    }


def _figures(commitments: list[Commitment], today: date, met: set[int]) -> dict[str, Any]:
    by_status = dict.fromkeys(STATUSES, 0)
    overdue: list[str] = []
    for c in commitments:
        by_status[c.status] = by_status.get(c.status, 0) + 1
        if c.deadline is not None and c.deadline < today and c.status not in RESOLVED and c.id not in met:
            overdue.append(c.slug)
    return {
        "total": len(commitments),
        "by_status": by_status,
        "kept_rate": kept_rate(by_status),
        "overdue": len(overdue),
        "overdue_commitments": overdue,
    }


def overview(session: Session, filters: Filters | None = None, today: date | None = None) -> dict[str, Any]:
    """The figures for the commitments `filters` keep; per theme in the baseline's theme order.

    `today` (default: today in UTC) decides what is overdue.
    """
    filters = filters or Filters()
    today = today or datetime.now(UTC).date()
    commitments = _selected(session, filters)
    met = progress_reported(session)
    figures = _figures(commitments, today, met)
    figures["by_theme"] = [
        {"theme": theme, **_figures(members, today, met)}
        for theme in THEMES
        if (members := [c for c in commitments if c.theme == theme])
    ]
    figures["as_of"] = today.isoformat()
    figures["resolved_statuses"] = list(RESOLVED)
    return figures


def matching_slugs(session: Session, filters: Filters) -> list[str]:
    """Slugs of the commitments the filters keep, in baseline order."""
    return [c.slug for c in _selected(session, filters)]
