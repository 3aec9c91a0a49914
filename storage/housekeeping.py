"""Daily clean-up: unconfirmed subscriptions and raw snapshots nobody cites any more.

Evidence must stay verifiable, so a snapshot referenced by a publication or one of
its revisions is never pruned, however old.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from storage.db import session_scope
from storage.models import Publication, PublicationRevision, Snapshot, Subscriber, utcnow


@dataclass
class HousekeepingReport:
    expired_pending: int = 0
    pruned_snapshots: int = 0

    def line(self) -> str:
        return (
            f"{self.expired_pending} unconfirmed subscriptions expired, "
            f"{self.pruned_snapshots} unreferenced snapshots pruned"
        )


def expire_pending(older_than_days: int, now: datetime | None = None) -> int:
    """Delete subscriptions never confirmed within `older_than_days` (no consent, nothing to keep)."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    with session_scope() as session:
        stale = list(
            session.scalars(
                select(Subscriber).where(Subscriber.state == "pending", Subscriber.created_at < cutoff)
            )
        )
        for subscriber in stale:
            session.delete(subscriber)  # preferences go with it (cascade)
        return len(stale)


def prune_snapshots(retention_days: int, now: datetime | None = None) -> int:
    """Delete snapshots fetched before the retention window that no publication or revision cites."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    cited = select(Publication.snapshot_sha256).where(Publication.snapshot_sha256.is_not(None))
    cited_by_revision = select(PublicationRevision.snapshot_sha256).where(
        PublicationRevision.snapshot_sha256.is_not(None)
    )
    with session_scope() as session:
        result: Any = session.execute(
            delete(Snapshot)
            .where(
                Snapshot.fetched_at < cutoff,
                Snapshot.sha256.not_in(cited),
                Snapshot.sha256.not_in(cited_by_revision),
            )
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)


def run_housekeeping(pending_expiry_days: int, snapshot_retention_days: int) -> HousekeepingReport:
    """Both clean-ups, each in its own transaction."""
    return HousekeepingReport(
        expired_pending=expire_pending(pending_expiry_days),
        pruned_snapshots=prune_snapshots(snapshot_retention_days),
    )
