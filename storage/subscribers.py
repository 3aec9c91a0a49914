"""Subscriber rows: create, find, preferences, bounce marks, export and GDPR erasure.

The digests package never touches SQLAlchemy (import-linter contract); every
query it needs on subscribers lives here. Functions take the caller's session and
never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    SUBSCRIBER_STATES,
    Commitment,
    Delivery,
    Source,
    Subscriber,
    SubscriberPreferences,
    UsedToken,
    utcnow,
)

__all__ = [
    "SUBSCRIBER_STATES",
    "active_subscribers",
    "add_subscriber",
    "find_by_email",
    "forget",
    "get_subscriber",
    "known_filters",
    "list_subscribers",
    "mark_bouncing",
    "set_preferences",
    "spend_token",
    "subscriber_dict",
]


def find_by_email(session: Session, email: str) -> Subscriber | None:
    """The subscriber with this (already normalised) address, preferences loaded."""
    return session.scalar(
        select(Subscriber).where(Subscriber.email == email).options(selectinload(Subscriber.preferences))
    )


def get_subscriber(session: Session, subscriber_id: int) -> Subscriber | None:
    return session.get(Subscriber, subscriber_id, options=[selectinload(Subscriber.preferences)])


def set_preferences(
    session: Session,
    subscriber: Subscriber,
    *,
    themes: Iterable[str] = (),
    commitments: Iterable[str] = (),
    sources: Iterable[str] = (),
    send_empty: bool | None = None,
) -> SubscriberPreferences:
    """Replace the subscriber's filters (sorted, deduplicated); keep send_empty unless given."""
    prefs = subscriber.preferences
    if prefs is None:
        prefs = SubscriberPreferences(subscriber=subscriber, send_empty=True)
        session.add(prefs)
    prefs.themes = sorted(set(themes))
    prefs.commitments = sorted(set(commitments))
    prefs.sources = sorted(set(sources))
    if send_empty is not None:
        prefs.send_empty = send_empty
    prefs.updated_at = utcnow()
    return prefs


def add_subscriber(
    session: Session,
    email: str,
    *,
    language: str = "fr",
    state: str = "pending",
    themes: Iterable[str] = (),
    commitments: Iterable[str] = (),
    sources: Iterable[str] = (),
    consent_at: datetime | None = None,
) -> Subscriber:
    """A new subscriber row (flushed, so it has an id); the address must not exist yet."""
    now = utcnow()
    subscriber = Subscriber(
        email=email,
        state=state,
        language=language,
        created_at=now,
        consent_at=consent_at or now,
        confirmed_at=now if state == "active" else None,
        token_version=1,
        bouncing=False,
    )
    session.add(subscriber)
    set_preferences(session, subscriber, themes=themes, commitments=commitments, sources=sources)
    session.flush()
    return subscriber


def list_subscribers(session: Session, state: str | None = None) -> list[Subscriber]:
    query = select(Subscriber).options(selectinload(Subscriber.preferences)).order_by(Subscriber.id)
    if state:
        query = query.where(Subscriber.state == state)
    return list(session.scalars(query))


def active_subscribers(session: Session) -> list[Subscriber]:
    """Who gets a digest: confirmed and not bouncing."""
    query = (
        select(Subscriber)
        .where(Subscriber.state == "active", Subscriber.bouncing.is_(False))
        .options(selectinload(Subscriber.preferences))
        .order_by(Subscriber.id)
    )
    return list(session.scalars(query))


def mark_bouncing(session: Session, subscriber_id: int, reason: str) -> None:
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is not None:
        subscriber.bouncing = True
        subscriber.last_bounce = reason[:2000]


def forget(session: Session, email: str) -> bool:
    """Erase the address, its preferences and its delivery history (GDPR); False if unknown."""
    subscriber = find_by_email(session, email)
    if subscriber is None:
        return False
    session.execute(delete(Delivery).where(Delivery.subscriber_id == subscriber.id))
    session.delete(subscriber)
    session.flush()
    return True


def spend_token(session: Session, token_digest: str, purpose: str) -> bool:
    """Record a single-use token as used; False when it was already spent (a replay)."""
    if session.get(UsedToken, token_digest) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(UsedToken(digest=token_digest, purpose=purpose, used_at=utcnow()))
    except IntegrityError:
        return False
    return True


def subscriber_dict(s: Subscriber) -> dict[str, Any]:
    """The JSON/CSV export shape of one subscriber."""
    prefs = s.preferences

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "email": s.email,
        "state": s.state,
        "language": s.language,
        "themes": list(prefs.themes) if prefs else [],
        "commitments": list(prefs.commitments) if prefs else [],
        "sources": list(prefs.sources) if prefs else [],
        "send_empty": bool(prefs.send_empty) if prefs else True,
        "created_at": iso(s.created_at),
        "consent_at": iso(s.consent_at),
        "confirmed_at": iso(s.confirmed_at),
        "unsubscribed_at": iso(s.unsubscribed_at),
        "bouncing": s.bouncing,
        "last_bounce": s.last_bounce,
    }


def known_filters(session: Session) -> tuple[set[str], set[str]]:
    """Commitment slugs and source slugs a subscriber may filter on."""
    commitments = set(session.scalars(select(Commitment.slug)))
    sources = set(session.scalars(select(Source.slug)))
    return commitments, sources
