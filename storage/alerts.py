"""The alert ledger: one row per (event kind, subject, channel), sent once.

Rows are inserted with "on conflict do nothing" against the unique (kind, subject,
channel), so two processes finding the same event queue it once. Sending rests on
`claim`, a conditional UPDATE (pending / failed and due → sending) whose rowcount
says which process won the row, as for the digest deliveries. A row whose request
went out without an answer (a read timeout, a dropped connection) may have arrived:
it becomes `unconfirmed`, is never resent automatically, and waits for a person
(`summitwatch alerts settle`), as does a row a killed process left `sending`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import ALERT_STATES, MAX_ID, Alert, AlertChannel, utcnow

DUE = ("pending", "failed")
NEEDS_A_PERSON = ("sending", "unconfirmed")

__all__ = [
    "ALERT_STATES",
    "NEEDS_A_PERSON",
    "ChannelRow",
    "QueuedEvent",
    "claim",
    "count_by_state",
    "insert_ignoring_duplicates",
    "due_alerts",
    "enqueue",
    "list_alerts",
    "mark_failed",
    "mark_sent",
    "mark_unconfirmed",
    "queued_everywhere",
    "register_channels",
    "settle",
]


@dataclass(frozen=True)
class ChannelRow:
    """A plain copy of a channel row."""

    id: int
    key: str
    label: str
    service: str
    created_at: datetime


@dataclass(frozen=True)
class QueuedEvent:
    """One event as the ledger stores it; `payload` holds what the message shows."""

    kind: str
    subject: str
    event_at: datetime
    payload: dict[str, Any]


def insert_ignoring_duplicates(session: Session, table: Any) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"alerts need SQLite or PostgreSQL, not {dialect}")


def register_channels(session: Session, channels: Iterable[tuple[str, str, str]]) -> list[ChannelRow]:
    """The rows of (key, label, service) channels, created when new; a new channel gets what follows.

    A channel's `created_at` is the start of what it receives: adding a Slack URL does
    not replay last year's setbacks into it.
    """
    wanted = {key: (label, service) for key, label, service in channels}
    if not wanted:
        return []
    now = utcnow()
    rows = [
        {"key": k, "label": v[0][:500], "service": v[1][:100], "created_at": now} for k, v in wanted.items()
    ]
    session.execute(insert_ignoring_duplicates(session, AlertChannel.__table__), rows)
    found = session.scalars(select(AlertChannel).where(AlertChannel.key.in_(wanted)))
    out = {}
    for row in found:
        label, service = wanted[row.key]
        if row.label != label[:500]:  # the URL's visible parts changed (e.g. a parameter)
            row.label = label[:500]
        out[row.key] = ChannelRow(row.id, row.key, row.label, row.service, row.created_at)
    return [out[key] for key in wanted if key in out]


def enqueue(session: Session, channel: ChannelRow, events: Iterable[QueuedEvent]) -> int:
    """Queue each event that happened since the channel exists and is not queued yet; returns how many."""
    now = utcnow()
    rows = [
        {
            "kind": e.kind,
            "subject": e.subject,
            "channel_id": channel.id,
            "state": "pending",
            "attempts": 0,
            "event_at": e.event_at,
            "payload": e.payload,
            "created_at": now,
            "updated_at": now,
        }
        for e in events
        if e.event_at >= channel.created_at
    ]
    if not rows:
        return 0
    before = _count(session, channel.id)
    session.execute(insert_ignoring_duplicates(session, Alert.__table__), rows)
    return _count(session, channel.id) - before


def queued_everywhere(session: Session, channel_ids: list[int], since: datetime) -> set[tuple[str, str]]:
    """(kind, subject) of events since `since` that every one of these channels already has a row for."""
    if not channel_ids:
        return set()
    rows = session.execute(
        select(Alert.kind, Alert.subject)
        .where(Alert.channel_id.in_(channel_ids), Alert.event_at >= since)
        .group_by(Alert.kind, Alert.subject)
        .having(func.count(func.distinct(Alert.channel_id)) == len(set(channel_ids)))
    ).tuples()
    return {(kind, subject) for kind, subject in rows}


def _count(session: Session, channel_id: int) -> int:
    return session.scalar(select(func.count(Alert.id)).where(Alert.channel_id == channel_id)) or 0


def due_alerts(session: Session, channel_id: int, now: datetime | None = None) -> list[int]:
    """Ids of the channel's rows to send now (new, or failed and past their next attempt), oldest first."""
    now = now or utcnow()
    query = (
        select(Alert.id)
        .where(
            Alert.channel_id == channel_id,
            Alert.state.in_(DUE),
            or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
        )
        .order_by(Alert.event_at, Alert.id)
    )
    return list(session.scalars(query))


def claim(session: Session, alert_id: int, now: datetime | None = None) -> tuple[str, dict[str, Any]] | None:
    """Move one row to `sending` if it is still due; its (kind, payload) when this caller won it."""
    now = now or utcnow()
    won = session.execute(
        update(Alert)
        .where(
            Alert.id == alert_id,
            Alert.state.in_(DUE),
            or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
        )
        .values(state="sending", claimed_at=now, updated_at=now, attempts=Alert.attempts + 1)
        .returning(Alert.kind, Alert.payload)
        .execution_options(synchronize_session=False)
    ).first()
    return None if won is None else (won[0], dict(won[1] or {}))


def mark_sent(session: Session, alert_id: int) -> None:
    now = utcnow()
    _set(session, alert_id, state="sent", sent_at=now, next_attempt_at=None, last_error=None)


def mark_failed(
    session: Session, alert_id: int, error: str, *, max_attempts: int, backoff: float, max_backoff: float
) -> str:
    """A failure that certainly did not deliver: retried after a doubling wait, abandoned after the last try."""
    row = session.get(Alert, alert_id, populate_existing=True)
    if row is None:
        return "gone"
    if row.attempts >= max_attempts:
        _set(session, alert_id, state="abandoned", next_attempt_at=None, last_error=error[:2000])
        return "abandoned"
    wait = min(max_backoff, backoff * (2 ** max(0, row.attempts - 1)))
    _set(
        session,
        alert_id,
        state="failed",
        next_attempt_at=utcnow() + timedelta(seconds=wait),
        last_error=error[:2000],
    )
    return "failed"


def mark_unconfirmed(session: Session, alert_id: int, error: str) -> None:
    _set(session, alert_id, state="unconfirmed", next_attempt_at=None, last_error=error[:2000])


def _set(session: Session, alert_id: int, **values: Any) -> None:
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )


def settle(session: Session, alert_id: int, verdict: str) -> str:
    """A person's verdict on a row that may have arrived: 'sent' (it did) or 'retry' (send it again)."""
    if verdict not in ("sent", "retry"):
        raise ValueError("settle an alert as 'sent' or 'retry'")
    row = session.get(Alert, alert_id) if 0 < alert_id <= MAX_ID else None
    if row is None:
        raise LookupError(f"no alert with id {alert_id}")
    if row.state not in (*NEEDS_A_PERSON, "abandoned"):
        raise ValueError(
            f"alert {alert_id} is {row.state}: only sending, unconfirmed or abandoned ones are settled"
        )
    if verdict == "sent":
        row.state, row.sent_at = "sent", row.sent_at or utcnow()
    else:
        row.state, row.next_attempt_at, row.attempts = "pending", None, 0
    row.updated_at = utcnow()
    return row.state


def list_alerts(session: Session, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The newest rows (all, or in one state) with their channel's label, as plain dicts."""
    query = select(Alert, AlertChannel).join(AlertChannel, AlertChannel.id == Alert.channel_id)
    if state is not None:
        if state not in ALERT_STATES:
            raise ValueError(f"unknown alert state {state!r}; one of: {', '.join(ALERT_STATES)}")
        query = query.where(Alert.state == state)
    query = query.order_by(Alert.event_at.desc(), Alert.id.desc()).limit(limit)
    return [
        {
            "id": a.id,
            "kind": a.kind,
            "subject": a.subject,
            "channel": c.label,
            "state": a.state,
            "attempts": a.attempts,
            "event_at": a.event_at.isoformat(),
            "next_attempt_at": a.next_attempt_at.isoformat() if a.next_attempt_at else None,
            "sent_at": a.sent_at.isoformat() if a.sent_at else None,
            "last_error": a.last_error,
            "summary": a.payload.get("summary", ""),
        }
        for a, c in session.execute(query).tuples()
    ]


def count_by_state(session: Session) -> dict[str, int]:
    counts = dict(
        session.execute(select(Alert.state, func.count(Alert.id)).group_by(Alert.state)).tuples().all()
    )
    return {state: counts.get(state, 0) for state in ALERT_STATES}
