"""Evidence and status changes counted by month, for the timelines (all commitments, or one).

A piece of evidence falls in the month its publication was published (when it was found,
if the page gave no date); a status change in the month it was recorded. Months are
those of Europe/Paris, as everywhere the service shows a day. Rejected links are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import SIGNALS, Commitment, Evidence, Publication, StatusChange

PARIS = ZoneInfo("Europe/Paris")

__all__ = ["monthly_activity"]


def _month(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m")


def _months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ('YYYY-MM'), so quiet months show as gaps."""
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_activity(session: Session, slugs: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One row per month from the first to the last with activity: evidence by signal, status changes.

    `slugs` narrows to those commitments (None: all of them).
    """
    evidence = (
        select(Evidence.signal, Publication.published_at, Evidence.created_at)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(Evidence.review_state != "rejected")
    )
    changes = select(StatusChange.changed_at)
    if slugs is not None:
        ids = select(Commitment.id).where(Commitment.slug.in_(list(slugs))).scalar_subquery()
        evidence = evidence.where(Evidence.commitment_id.in_(ids))
        changes = changes.where(StatusChange.commitment_id.in_(ids))
    signals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SIGNALS, 0))
    status_changes: dict[str, int] = defaultdict(int)
    for signal, published_at, created_at in session.execute(evidence).tuples():
        signals[_month(published_at or created_at)][signal] += 1
    for (changed_at,) in session.execute(changes).tuples():
        status_changes[_month(changed_at)] += 1
    active = sorted(set(signals) | set(status_changes))
    if not active:
        return []
    return [
        {
            "month": month,
            "signals": dict(signals.get(month) or dict.fromkeys(SIGNALS, 0)),
            "evidence": sum((signals.get(month) or {}).values()),
            "status_changes": status_changes.get(month, 0),
        }
        for month in _months_between(active[0], active[-1])
    ]
