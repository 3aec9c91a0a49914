"""Signed links for subscribers: confirm (7 days, single use), manage and unsubscribe.

Each token is an itsdangerous URLSafeTimedSerializer payload salted per purpose,
holding the subscriber id, their token_version and a fingerprint of the address:
bumping token_version (unsubscribe, forget, re-subscribe) kills every older link,
and a row id reused after an erasure cannot be reached with a dead person's link.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from summitwatch.config import get_settings

PURPOSES = ("confirm", "manage", "unsubscribe")
CONFIRM_MAX_AGE_DAYS = 7
MAX_TOKEN_LENGTH = 2048


class TokenError(ValueError):
    """A link that is expired, altered, already used or no longer valid."""


class Addressee(Protocol):
    """What a link speaks for: a Subscriber row, or a plain copy of one (the send loop)."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def token_version(self) -> int: ...


@lru_cache(maxsize=16)
def _cached_serializer(key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=f"summitwatch.subscriber.{purpose}")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return _cached_serializer(get_settings().signing_key(), purpose)


def fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]


def token_digest(token: str) -> str:
    """What the used-tokens table keeps: never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def make_token(subscriber: Addressee, purpose: str) -> str:
    payload = {"s": subscriber.id, "v": subscriber.token_version, "e": fingerprint(subscriber.email)}
    return str(_serializer(purpose).dumps(payload))


def read_token(token: str, purpose: str) -> dict[str, Any]:
    """The payload of a well-signed, unexpired token; TokenError otherwise."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError("missing or oversized link token")
    max_age = CONFIRM_MAX_AGE_DAYS * 86400 if purpose == "confirm" else None
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError("this link has expired") from None
    except BadSignature:
        raise TokenError("this link is not valid") from None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("s"), int)
        or not isinstance(payload.get("v"), int)
    ):
        raise TokenError("this link is not valid")
    return payload


def confirm_token(subscriber: Addressee) -> str:
    return make_token(subscriber, "confirm")


def manage_token(subscriber: Addressee) -> str:
    return make_token(subscriber, "manage")


def unsubscribe_token(subscriber: Addressee) -> str:
    return make_token(subscriber, "unsubscribe")


def _url(path: str, token: str) -> str:
    return f"{get_settings().base_url}{path}?{urlencode({'token': token})}"


def confirm_url(token: str) -> str:
    return _url("/confirm", token)


def manage_url(subscriber: Addressee) -> str:
    return _url("/manage", manage_token(subscriber))


def unsubscribe_url(subscriber: Addressee) -> str:
    return _url("/unsubscribe", unsubscribe_token(subscriber))


def one_click_url(subscriber: Addressee) -> str:
    """RFC 8058 target: mail providers POST `List-Unsubscribe=One-Click` here."""
    return _url("/unsubscribe/one-click", unsubscribe_token(subscriber))


def digest_links(subscriber: Addressee) -> tuple[str, str, str]:
    """Manage, unsubscribe and one-click URLs of one digest: two signatures, not three."""
    leave = unsubscribe_token(subscriber)
    return (
        manage_url(subscriber),
        _url("/unsubscribe", leave),
        _url("/unsubscribe/one-click", leave),
    )
