"""The subscription mails (confirmation, "already subscribed"), through the digest transports."""

from __future__ import annotations

from digests.mailer import open_transport
from digests.messages import build_message
from digests.render import render_already_subscribed, render_confirmation
from digests.tokens import CONFIRM_MAX_AGE_DAYS, confirm_token, confirm_url, manage_url, unsubscribe_url
from storage.models import Subscriber
from summitwatch.config import get_settings


def send_confirmation(subscriber: Subscriber) -> str:
    """Mail the double opt-in link (valid 7 days); returns the Message-ID."""
    settings = get_settings()
    rendered = render_confirmation(
        subscriber.language, confirm_url(confirm_token(subscriber)), CONFIRM_MAX_AGE_DAYS
    )
    message = build_message(rendered, subscriber.email, settings)
    with open_transport(settings=settings) as transport:
        transport.send(message, subscriber.email)
    return str(message["Message-ID"])


def send_already_subscribed(subscriber: Subscriber) -> str:
    """Tell an active subscriber someone asked again, with their manage link; reveals nothing to the asker."""
    settings = get_settings()
    rendered = render_already_subscribed(
        subscriber.language, manage_url(subscriber), unsubscribe_url(subscriber)
    )
    message = build_message(rendered, subscriber.email, settings)
    with open_transport(settings=settings) as transport:
        transport.send(message, subscriber.email)
    return str(message["Message-ID"])
