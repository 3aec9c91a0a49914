"""The delivery ledger: one digest row per period, one delivery row per (digest, subscriber).

Exactly-once sending rests on `claim`: a conditional UPDATE that moves a row from
pending / failed_retryable to `sending` and reports whether this process won it
(rowcount), which is atomic on SQLite and PostgreSQL alike. A row left `sending`
(process killed after the SMTP server accepted, before the commit) is never
claimed again; `stuck_deliveries` lists it for a person to settle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import DELIVERY_STATES, Delivery, Digest, Subscriber, utcnow

CLAIMABLE = ("pending", "failed_retryable")

__all__ = [
    "CLAIMABLE",
    "DELIVERY_STATES",
    "claim_attempt",
    "digest_summaries",
    "due_deliveries",
    "enqueue",
    "find_digest",
    "get_or_create_digest",
    "mark_failed",
    "mark_sent",
    "sent_subscriber_ids",
    "settle",
    "stuck_deliveries",
]


def find_digest(session: Session, period: str) -> Digest | None:
    return session.scalar(select(Digest).where(Digest.period == period))


def get_or_create_digest(session: Session, period: str, start: datetime, end: datetime) -> int:
    """The id of the period's digest row, created if missing (safe against a concurrent creator)."""
    existing = find_digest(session, period)
    if existing is not None:
        return existing.id
    try:
        with session.begin_nested():
            digest = Digest(period=period, period_start=start, period_end=end, created_at=utcnow())
            session.add(digest)
    except IntegrityError:
        found = find_digest(session, period)
        assert found is not None
        return found.id
    return digest.id


def enqueue(session: Session, digest_id: int, subscriber_ids: Iterable[int]) -> int:
    """Add a pending delivery for each subscriber that has none for this digest; returns how many."""
    have = set(session.scalars(select(Delivery.subscriber_id).where(Delivery.digest_id == digest_id)))
    now = utcnow()
    rows = [
        {"digest_id": digest_id, "subscriber_id": sid, "state": "pending", "attempts": 0, "updated_at": now}
        for sid in dict.fromkeys(subscriber_ids)
        if sid not in have
    ]
    if rows:
        session.execute(Delivery.__table__.insert(), rows)
    return len(rows)


def due_deliveries(session: Session, digest_id: int, now: datetime | None = None) -> list[tuple[int, int]]:
    """(delivery id, subscriber id) of rows to send now, oldest first; deferred rows wait their turn."""
    now = now or utcnow()
    query = (
        select(Delivery.id, Delivery.subscriber_id)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(
            Delivery.digest_id == digest_id,
            Delivery.state.in_(CLAIMABLE),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
        )
        .order_by(Delivery.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def claim_attempt(session: Session, delivery_id: int, message_id: str) -> int | None:
    """Move one row to `sending` if it is still claimable; its attempts when this caller won it.

    The Message-ID is recorded with the claim, so a row left `sending` can be looked up in
    the SMTP server's log by whoever settles it.
    """
    now = utcnow()
    won = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state.in_(CLAIMABLE))
        .values(
            state="sending",
            claimed_at=now,
            updated_at=now,
            attempts=Delivery.attempts + 1,
            message_id=message_id,
        )
        .returning(Delivery.attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return None if won is None else int(won)


def attempts_of(session: Session, delivery_id: int) -> int:
    return int(session.scalar(select(Delivery.attempts).where(Delivery.id == delivery_id)) or 0)


def mark_sent(session: Session, delivery_id: int, message_id: str) -> None:
    now = utcnow()
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(state="sent", message_id=message_id, sent_at=now, updated_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(
    session: Session,
    delivery_id: int,
    *,
    permanent: bool,
    error: str,
    code: int | None = None,
    not_before: datetime | None = None,
) -> None:
    """A failure before the message was handed over: final, or to be tried again (from `not_before`)."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(
            state="failed_permanent" if permanent else "failed_retryable",
            last_error=error[:2000],
            last_code=code,
            next_attempt_at=None if permanent else not_before,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


def mark_unsettled(session: Session, delivery_id: int, error: str) -> None:
    """The message was handed over and its answer lost: the row stays `sending` for a person."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.state == "sending")
        .values(last_error=error[:2000], updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def deferred_count(session: Session, digest_id: int | None = None) -> int:
    """Rows waiting for their next attempt (a recipient the server deferred)."""
    query = (
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.state == "failed_retryable", Delivery.next_attempt_at.is_not(None))
    )
    if digest_id is not None:
        query = query.where(Delivery.digest_id == digest_id)
    return int(session.scalar(query) or 0)


def due_digest_ids(session: Session, now: datetime | None = None) -> list[int]:
    """Digests with deferred rows now due: what the retry job sends again."""
    now = now or utcnow()
    query = (
        select(Delivery.digest_id)
        .where(
            Delivery.state == "failed_retryable",
            Delivery.next_attempt_at.is_not(None),
            Delivery.next_attempt_at <= now,
        )
        .distinct()
    )
    return sorted(session.scalars(query))


def settle(session: Session, period: str, email: str, state: str) -> bool:
    """A person's verdict on a row left `sending`: 'sent' (it arrived) or 'pending' (send again)."""
    return _settle(
        session,
        select(Delivery)
        .join(Digest, Digest.id == Delivery.digest_id)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Digest.period == period, Subscriber.email == email, Delivery.state == "sending"),
        state,
    )


def settle_message(session: Session, message_id: str, state: str) -> bool:
    """`settle` by the Message-ID a person found (or did not find) in the SMTP server's log."""
    return _settle(
        session, select(Delivery).where(Delivery.message_id == message_id, Delivery.state == "sending"), state
    )


def _settle(session: Session, query: Any, state: str) -> bool:
    if state not in ("sent", "pending"):
        raise ValueError("settle a delivery as 'sent' or 'pending'")
    row = session.scalar(query)
    if row is None:
        return False
    row.state = state
    row.updated_at = utcnow()
    if state == "sent":
        row.sent_at = row.sent_at or utcnow()
    return True


def stuck_deliveries(session: Session, period: str | None = None) -> list[dict[str, Any]]:
    """Rows left `sending`: the message may or may not have gone; a person decides."""
    query = (
        select(
            Digest.period,
            Subscriber.email,
            Delivery.claimed_at,
            Delivery.attempts,
            Delivery.message_id,
            Delivery.last_error,
        )
        .join(Digest, Digest.id == Delivery.digest_id)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.state == "sending")
        .order_by(Delivery.id)
    )
    if period:
        query = query.where(Digest.period == period)
    return [
        {
            "period": p,
            "email": e,
            "claimed_at": c.isoformat() if c else None,
            "attempts": a,
            "message_id": m,
            "last_error": why,
        }
        for p, e, c, a, m, why in session.execute(query)
    ]


def digest_summaries(session: Session) -> list[dict[str, Any]]:
    """Every digest, newest first, with its delivery counts per state."""
    counts: dict[int, dict[str, int]] = {}
    for digest_id, state, n in session.execute(
        select(Delivery.digest_id, Delivery.state, func.count(Delivery.id)).group_by(
            Delivery.digest_id, Delivery.state
        )
    ):
        counts.setdefault(digest_id, {})[state] = n
    out = []
    for d in session.scalars(select(Digest).order_by(Digest.period_start.desc(), Digest.id.desc())):
        per_state = {state: counts.get(d.id, {}).get(state, 0) for state in DELIVERY_STATES}
        out.append(
            {
                "period": d.period,
                "period_start": d.period_start.isoformat(),
                "period_end": d.period_end.isoformat(),
                "created_at": d.created_at.isoformat(),
                "deliveries": sum(per_state.values()),
                **per_state,
            }
        )
    return out


def sent_subscriber_ids(session: Session, digest_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Delivery.subscriber_id).where(Delivery.digest_id == digest_id, Delivery.state == "sent")
        )
    )
