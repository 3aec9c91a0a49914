"""Double opt-in and signed links, through digests.subscriptions and the CLI, on both backends."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import itsdangerous.timed
import pytest
from sqlalchemy import func, select

from digests.subscriptions import (
    SubscriptionError,
    TokenError,
    confirm,
    manage_url,
    normalise_email,
    subscribe,
    subscriber_from_token,
    unsubscribe,
    unsubscribe_token,
    update_preferences,
)
from storage.db import session_scope
from storage.models import Delivery, Subscriber
from summitwatch.config import reset_settings
from tests.support.smtp import SMTPRecorder


@pytest.fixture
def mail(db: str, smtp_server: SMTPRecorder, monkeypatch: pytest.MonkeyPatch) -> SMTPRecorder:
    for key, value in smtp_server.env().items():
        monkeypatch.setenv(key, value)
    reset_settings()
    return smtp_server


def token_in(box: SMTPRecorder, index: int, path: str) -> str:
    _, message = box.wait(index + 1)[index]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for word in text.split():
        if f"/{path}?token=" in word:
            return parse_qs(urlsplit(word).query)["token"][0]
    raise AssertionError(f"no /{path} link in:\n{text}")


def state_of(db: str, email: str) -> str | None:
    with session_scope(db) as session:
        return session.scalar(select(Subscriber.state).where(Subscriber.email == email))


def test_normalise_email_validates_without_dns() -> None:
    assert normalise_email("  Someone@Example.ORG ") == "someone@example.org"
    for bad in ("", "no-at-sign", "a@b", "x" * 250 + "@example.org", "a@example.org\r\nBcc: x@y.z"):
        with pytest.raises(SubscriptionError):
            normalise_email(bad)


def test_double_opt_in_with_single_use_expiring_links(
    mail: SMTPRecorder, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(db) as session:
        subscribe(session, "Reader@Example.org", "en", themes=["safety"])
    assert state_of(db, "reader@example.org") == "pending"
    token = token_in(mail, 0, "confirm")
    rcpt, first = mail.messages[0]
    assert rcpt == "reader@example.org" and first.get_content_type() == "multipart/alternative"
    assert first["Subject"] == "Confirm your summitwatch subscription"

    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    with session_scope(db) as session, pytest.raises(TokenError):
        confirm(session, tampered)
    with session_scope(db) as session, pytest.raises(TokenError):
        subscriber_from_token(session, token, "manage")  # a confirm token is no manage token
    assert state_of(db, "reader@example.org") == "pending"

    with session_scope(db) as session:
        subscriber = confirm(session, token)
        assert subscriber.state == "active" and subscriber.confirmed_at is not None
        manage = manage_url(subscriber)
    with session_scope(db) as session, pytest.raises(TokenError, match="already used"):
        confirm(session, token)

    # Subscribing again while active changes nothing and sends a "manage here" note.
    with session_scope(db) as session:
        subscribe(session, "reader@example.org", "fr", themes=["governance"])
    _, note = mail.wait(2)[1]
    assert "already subscribed" in note.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    manage_token = parse_qs(urlsplit(manage).query)["token"][0]
    with session_scope(db) as session:
        subscriber = subscriber_from_token(session, manage_token, "manage")
        assert subscriber.language == "en" and subscriber.preferences.themes == ["safety"]
        update_preferences(session, manage_token, "fr", ["security"], ["inesia"], ["anssi"], send_empty=False)
        with pytest.raises(SubscriptionError):
            update_preferences(session, manage_token, "de", [], [], [], send_empty=True)
    with session_scope(db) as session:
        prefs = subscriber_from_token(session, manage_token, "manage").preferences
        assert (prefs.themes, prefs.commitments, prefs.sources, prefs.send_empty) == (
            ["security"],
            ["inesia"],
            ["anssi"],
            False,
        )
        leave = unsubscribe_token(subscriber_from_token(session, manage_token, "manage"))

    with session_scope(db) as session:
        assert unsubscribe(session, leave).state == "unsubscribed"
    with session_scope(db) as session:
        assert unsubscribe(session, leave).state == "unsubscribed"  # idempotent (one-click retries)
    with session_scope(db) as session, pytest.raises(TokenError):
        subscriber_from_token(session, manage_token, "manage")  # old links die on unsubscribe

    # Expiry: a confirmation link signed 8 days ago is refused.
    real = time.time
    monkeypatch.setattr(
        itsdangerous.timed, "time", type("C", (), {"time": staticmethod(lambda: real() - 8 * 86400)})
    )
    with session_scope(db) as session:
        subscribe(session, "late@example.org")
    monkeypatch.undo()
    for key, value in mail.env().items():
        monkeypatch.setenv(key, value)
    late = token_in(mail, 2, "confirm")
    with session_scope(db) as session, pytest.raises(TokenError, match="expired"):
        confirm(session, late)
    assert state_of(db, "late@example.org") == "pending"


def test_subscribers_commands_add_list_export_remove_forget(
    mail: SMTPRecorder, db: str, cli: Callable[..., Any]
) -> None:
    assert cli("subscribers", "add", "New@Example.org", "--lang", "en").code == 0
    assert mail.wait(1)[0][0] == "new@example.org"
    added = cli(
        "subscribers", "add", "known@example.org", "--confirmed", "--theme", "safety", "--source", "anssi"
    )
    assert added.code == 0, added.output
    bad = cli("subscribers", "add", "x@example.org", "--confirmed", "--theme", "nonsense")
    assert bad.code == 2 and "unknown theme" in bad.stderr
    assert len(mail.messages) == 1  # --confirmed sends nothing

    listing = json.loads(cli("subscribers", "list", "--state", "active", "--format", "json").stdout)
    assert [(s["email"], s["themes"], s["sources"]) for s in listing] == [
        ("known@example.org", ["safety"], ["anssi"])
    ]
    csv_out = cli("subscribers", "export", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("email,state,language") and len(csv_out) == 3

    assert cli("subscribers", "remove", "known@example.org").code == 0
    assert state_of(db, "known@example.org") == "unsubscribed"
    with session_scope(db) as session:
        subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.email == "known@example.org"))
        from digests.periods import week
        from storage.deliveries import enqueue, get_or_create_digest

        w = week("2025-W07")
        enqueue(session, get_or_create_digest(session, w.key, w.start, w.end), [subscriber_id])
    forgotten = cli("subscribers", "forget", "known@example.org", "--yes")
    assert forgotten.code == 0, forgotten.output
    with session_scope(db) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 0
        assert session.scalar(select(Subscriber).where(Subscriber.email == "known@example.org")) is None
    assert cli("subscribers", "forget", "known@example.org", "--yes").code == 2
