"""Subscribing, confirming, managing and leaving: the API the web app and the CLI call.

Every function takes the caller's session and leaves the commit to the caller.
`subscribe` behaves the same from outside whatever the address's state (it
returns None and always mails the address), so the web page cannot be used to
learn who is subscribed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from email_validator import EmailNotValidError, validate_email

from digests.mailer import MailError
from digests.notices import send_already_subscribed, send_confirmation
from digests.tokens import (
    TokenError,
    confirm_url,
    fingerprint,
    manage_token,
    manage_url,
    one_click_url,
    read_token,
    token_digest,
    unsubscribe_token,
    unsubscribe_url,
)
from storage.db import Session
from storage.models import THEMES, Subscriber, utcnow
from storage.subscribers import (
    add_subscriber,
    find_by_email,
    get_subscriber,
    known_filters,
    set_preferences,
    spend_token,
)

__all__ = [
    "LANGUAGES",
    "add_confirmed",
    "SubscriptionError",
    "TokenError",
    "confirm",
    "confirm_url",
    "manage_token",
    "manage_url",
    "normalise_email",
    "one_click_url",
    "subscribe",
    "subscriber_from_token",
    "unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
    "update_preferences",
]

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "en")
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit (local part 64 is checked by email-validator)


class SubscriptionError(ValueError):
    """A request that cannot be honoured; the message says why (e.g. an invalid address)."""


def normalise_email(raw: str) -> str:
    """The canonical form of an address (lower case, IDNA domain), validated without DNS."""
    value = (raw or "").strip()
    if not value:
        raise SubscriptionError("an email address is required")
    if len(value) > MAX_EMAIL_LENGTH:
        raise SubscriptionError(f"the address is longer than {MAX_EMAIL_LENGTH} characters")
    if any(ch in value for ch in "\r\n\x00"):
        raise SubscriptionError("the address contains forbidden characters")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise SubscriptionError(str(exc)) from None
    address = result.normalized.lower()
    if len(address) > MAX_EMAIL_LENGTH:
        raise SubscriptionError(f"the address is longer than {MAX_EMAIL_LENGTH} characters")
    return address


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise SubscriptionError(f"unknown language {language!r}; one of: fr, en")
    return language


def _check_filters(
    session: Session, themes: Iterable[str], commitments: Iterable[str], sources: Iterable[str]
) -> tuple[list[str], list[str], list[str]]:
    themes, commitments, sources = list(themes), list(commitments), list(sources)
    bad = [t for t in themes if t not in THEMES]
    if bad:
        raise SubscriptionError(f"unknown theme(s): {', '.join(bad)}; one of: {', '.join(THEMES)}")
    if commitments or sources:
        known_commitments, known_sources = known_filters(session)
        bad = [c for c in commitments if c not in known_commitments]
        if bad:
            raise SubscriptionError(f"unknown commitment(s): {', '.join(bad)}")
        bad = [s for s in sources if s not in known_sources]
        if bad:
            raise SubscriptionError(f"unknown source(s): {', '.join(bad)}")
    return themes, commitments, sources


def _mail(send: Callable[[Subscriber], str], subscriber: Subscriber) -> None:
    try:
        send(subscriber)
    except MailError as exc:
        log.warning("subscription mail to subscriber %s failed: %s", subscriber.id, exc)
        raise SubscriptionError("the confirmation email could not be sent; please try again later") from exc


def subscribe(
    session: Session,
    email: str,
    language: str = "fr",
    themes: Iterable[str] = (),
    commitments: Iterable[str] = (),
    sources: Iterable[str] = (),
) -> None:
    """Start (or restart) double opt-in for `email`; always mails the address, returns nothing.

    new or unsubscribed → pending, confirmation mailed; pending → filters updated,
    confirmation mailed again; active → nothing changes (a stranger must not edit
    someone's filters), and the owner gets a note with their manage link.
    """
    address = normalise_email(email)
    language = _check_language(language)
    themes, commitments, sources = _check_filters(session, themes, commitments, sources)
    subscriber = find_by_email(session, address)
    if subscriber is None:
        subscriber = add_subscriber(
            session, address, language=language, themes=themes, commitments=commitments, sources=sources
        )
        _mail(send_confirmation, subscriber)
        return
    if subscriber.state == "active":
        _mail(send_already_subscribed, subscriber)
        return
    if subscriber.state == "unsubscribed":
        subscriber.token_version += 1  # links from before the re-subscription stay dead
        subscriber.confirmed_at = None
        subscriber.bouncing = False
    subscriber.state = "pending"
    subscriber.language = language
    subscriber.consent_at = utcnow()
    set_preferences(session, subscriber, themes=themes, commitments=commitments, sources=sources)
    session.flush()
    _mail(send_confirmation, subscriber)


def _subscriber(session: Session, token: str, purpose: str) -> Subscriber:
    payload = read_token(token, purpose)
    subscriber = get_subscriber(session, payload["s"])
    if subscriber is None or payload.get("e") != fingerprint(subscriber.email):
        raise TokenError("this link is no longer valid")
    version = payload["v"]
    if version == subscriber.token_version:
        return subscriber
    # Unsubscribing bumps the version; the unsubscribe link that did it (and the
    # digest's other unsubscribe links) must keep answering "done", never fail.
    if (
        purpose == "unsubscribe"
        and subscriber.state == "unsubscribed"
        and version == subscriber.token_version - 1
    ):
        return subscriber
    raise TokenError("this link is no longer valid")


def subscriber_from_token(session: Session, token: str, purpose: str) -> Subscriber:
    """The subscriber a manage / unsubscribe (or confirm) link speaks for; TokenError if none."""
    if purpose == "confirm":
        raise ValueError("confirmation links are read by confirm(), which spends them")
    return _subscriber(session, token, purpose)


def confirm(session: Session, token: str) -> Subscriber:
    """Spend a confirmation link (7 days, once) and make the subscriber active."""
    subscriber = _subscriber(session, token, "confirm")
    if subscriber.state == "unsubscribed":
        raise TokenError("this link is no longer valid")
    if not spend_token(session, token_digest(token), "confirm"):
        raise TokenError("this link was already used")
    if subscriber.state != "active":
        subscriber.state = "active"
        subscriber.confirmed_at = utcnow()
        subscriber.bouncing = False
    session.flush()
    return subscriber


def update_preferences(
    session: Session,
    token: str,
    language: str,
    themes: Iterable[str],
    commitments: Iterable[str],
    sources: Iterable[str],
    send_empty: bool,
) -> Subscriber:
    """Replace language and filters through a manage link."""
    subscriber = _subscriber(session, token, "manage")
    if subscriber.state == "unsubscribed":
        raise TokenError("this link is no longer valid")
    subscriber.language = _check_language(language)
    themes, commitments, sources = _check_filters(session, themes, commitments, sources)
    set_preferences(
        session, subscriber, themes=themes, commitments=commitments, sources=sources, send_empty=send_empty
    )
    session.flush()
    return subscriber


def unsubscribe(session: Session, token: str) -> Subscriber:
    """Leave the list; idempotent (the same link, used again, answers the same)."""
    subscriber = _subscriber(session, token, "unsubscribe")
    if subscriber.state != "unsubscribed":
        subscriber.state = "unsubscribed"
        subscriber.unsubscribed_at = utcnow()
        subscriber.token_version += 1
        session.flush()
    return subscriber


def unsubscribe_by_email(session: Session, email: str) -> Subscriber | None:
    """The administrator's `subscribers remove`: same effect as the link."""
    subscriber = find_by_email(session, normalise_email(email))
    if subscriber is not None and subscriber.state != "unsubscribed":
        subscriber.state = "unsubscribed"
        subscriber.unsubscribed_at = utcnow()
        subscriber.token_version += 1
        session.flush()
    return subscriber


def add_confirmed(
    session: Session,
    email: str,
    language: str = "fr",
    themes: Iterable[str] = (),
    commitments: Iterable[str] = (),
    sources: Iterable[str] = (),
) -> Subscriber:
    """An administrator's import of an address whose consent is already held: active, no mail."""
    address = normalise_email(email)
    language = _check_language(language)
    themes, commitments, sources = _check_filters(session, themes, commitments, sources)
    subscriber = find_by_email(session, address)
    if subscriber is None:
        return add_subscriber(
            session,
            address,
            language=language,
            state="active",
            themes=themes,
            commitments=commitments,
            sources=sources,
        )
    if subscriber.state == "active":
        raise SubscriptionError(f"{address} is already an active subscriber")
    if subscriber.state == "unsubscribed":
        subscriber.token_version += 1
    subscriber.state = "active"
    subscriber.language = language
    subscriber.consent_at = subscriber.confirmed_at = utcnow()
    subscriber.bouncing = False
    set_preferences(session, subscriber, themes=themes, commitments=commitments, sources=sources)
    session.flush()
    return subscriber
