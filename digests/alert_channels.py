"""Alert channels: Apprise URLs checked at start-up, and one bounded post per message.

Apprise stays in this module (import-linter contract). Each configured URL becomes
one `Channel`: its Apprise plugin, a key (Apprise's hash of the URL's identity, so a
changed timeout parameter is still the same channel) and a label with the secrets
masked. A malformed URL is refused with a message naming its position and service,
never its tokens.

Apprise reports a failed post as `False` and says why only in its log. Which kind of
failure it was decides between retrying and not: a refused connection or an error
status means the service did not take the message (retry later), while a request that
went out and got no answer (a read timeout, a dropped connection) may have been
delivered, so it is not resent automatically. The reason is read from the records
Apprise logs in this thread while it posts.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import apprise
from apprise import NotifyFormat, NotifyType

NOTIFY_TYPES = {"info": NotifyType.INFO, "warning": NotifyType.WARNING, "failure": NotifyType.FAILURE}

# Raised by urllib3/requests (and smtplib) once the request may have reached the service.
MAYBE_DELIVERED = re.compile(
    r"Read timed out|Connection aborted|RemoteDisconnected|Connection reset by peer|"
    r"IncompleteRead|ChunkedEncodingError|SMTPServerDisconnected",
    re.IGNORECASE,
)


SECRET_PATH = re.compile(r"(with url: |url: |https?://[^/\s'\"]+)\S*")


class AlertConfigError(ValueError):
    """A malformed `alerts.urls` entry; the message names it without its secrets."""


@dataclass(frozen=True)
class Channel:
    """One Apprise URL, parsed."""

    position: int
    key: str
    label: str
    service: str
    html: bool
    plugin: Any  # an apprise NotifyBase; typed loosely, Apprise ships partial hints


@dataclass(frozen=True)
class PostResult:
    ok: bool
    maybe_delivered: bool = False
    error: str = ""


def mask(url: str) -> str:
    """A URL Apprise could not parse, shown without what may be secret: the scheme and host only."""
    scheme, _, rest = url.partition("://")
    if not rest:
        return "(not a URL)"
    host = urlsplit(f"x://{rest}").hostname or ""
    looks_like_a_host = bool(re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}|localhost|[0-9.]+|\[[0-9a-f:]+\]", host))
    return f"{scheme}://{host if looks_like_a_host else '…'}/…"


def parse_channels(urls: Sequence[str], timeout: float) -> list[Channel]:
    """Every configured URL as a channel (duplicates once); AlertConfigError for the first bad one."""
    channels: list[Channel] = []
    seen: set[str] = set()
    for position, url in enumerate(urls):
        scheme = url.partition("://")[0].lower() if "://" in url else ""
        where = f"alerts.urls[{position}] ({mask(url)})"
        if not scheme:
            raise AlertConfigError(f"{where}: not an Apprise URL (service://…)")
        if scheme not in apprise.NotificationManager():
            raise AlertConfigError(f"{where}: Apprise has no service called {scheme!r}")
        with _quiet():
            plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise AlertConfigError(
                f"{where}: malformed {scheme}:// URL (a token, host or target is missing or wrong; "
                "see the service's page in the Apprise wiki)"
            )
        _bound(plugin, url, timeout)
        key = _key(plugin, url)
        if key in seen:
            continue
        seen.add(key)
        channels.append(
            Channel(
                position=position,
                key=key,
                label=_label(plugin),
                service=str(getattr(plugin, "service_name", scheme)),
                html=_wants_html(plugin),
                plugin=plugin,
            )
        )
    return channels


def _bound(plugin: Any, url: str, timeout: float) -> None:
    """Apply our timeout unless the URL sets its own (`cto=` / `rto=`)."""
    query = urlsplit(url).query
    if "cto=" not in query:
        plugin.socket_connect_timeout = timeout
    if "rto=" not in query:
        plugin.socket_read_timeout = timeout


def _key(plugin: Any, url: str) -> str:
    url_id = getattr(plugin, "url_id", None)
    ident = url_id() if callable(url_id) else None
    if not ident:
        ident = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return str(ident)[:64]


def _label(plugin: Any) -> str:
    """The URL as Apprise prints it with privacy on, without its path and parameters.

    Apprise masks what it knows to be secret (passwords, Slack and Telegram tokens) but
    shows a generic webhook's path, which is often the secret itself (a webhook id).
    """
    parts = urlsplit(str(plugin.url(privacy=True)))
    return f"{parts.scheme}://{parts.netloc}" + ("/…" if parts.path.strip("/") else "")


def _wants_html(plugin: Any) -> bool:
    resolve = getattr(plugin, "resolve_format", None)
    chosen = resolve(None) if callable(resolve) else plugin.notify_format
    if isinstance(chosen, tuple | list):
        chosen = chosen[0] if chosen else NotifyFormat.TEXT
    return bool(chosen == NotifyFormat.HTML)


class _ThreadRecords(logging.Filter):
    """Keeps this thread's Apprise records; lets through only errors (our own log says what failed)."""

    def __init__(self, threshold: int) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.threshold = threshold
        self.lines: list[tuple[int, str]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread == self.thread:
            self.lines.append((record.levelno, record.getMessage()))
        return record.levelno >= self.threshold


_level_lock = threading.Lock()
_capturing = 0
_saved_level = logging.NOTSET
_shown_from = logging.ERROR


@contextmanager
def _capture() -> Iterator[_ThreadRecords]:
    """Apprise's records of this thread, debug included, without showing its debug lines to anyone."""
    global _capturing, _saved_level, _shown_from
    logger = logging.getLogger("apprise")
    with _level_lock:
        if _capturing == 0:
            _saved_level = logger.level
            _shown_from = max(logging.ERROR, logger.getEffectiveLevel())
            logger.setLevel(logging.DEBUG)
        _capturing += 1
        records = _ThreadRecords(_shown_from)
    logger.addFilter(records)
    try:
        yield records
    finally:
        logger.removeFilter(records)
        with _level_lock:
            _capturing -= 1
            if _capturing == 0:
                logger.setLevel(_saved_level)


@contextmanager
def _quiet() -> Iterator[None]:
    """Parse URLs without Apprise echoing them (a malformed token would appear in its error line)."""
    with _capture() as records:
        records.threshold = logging.CRITICAL + 1
        yield


def post(channel: Channel, title: str, text: str, html: str, kind: str = "info") -> PostResult:
    """Send one message; bounded by the channel's timeouts, never raises for the service's failures."""
    body, body_format = (html, NotifyFormat.HTML) if channel.html else (text, NotifyFormat.TEXT)
    with _capture() as records:
        try:
            ok = bool(
                channel.plugin.notify(
                    body=body,
                    title=title,
                    notify_type=NOTIFY_TYPES.get(kind, NotifyType.INFO),
                    body_format=body_format,
                )
            )
        except Exception as exc:  # a plugin bug must not take the match or the other channels down
            return PostResult(False, False, SECRET_PATH.sub(r"\1…", f"{type(exc).__name__}: {exc}")[:500])
    if ok:
        return PostResult(True)
    said = records.lines
    maybe = bool(MAYBE_DELIVERED.search("\n".join(text for _, text in said)))
    return PostResult(False, maybe, _reason(said))


def _reason(lines: list[tuple[int, str]]) -> str:
    """Apprise's warnings and its socket error, shortened, never its debug payloads or URLs.

    Debug lines echo request URLs and payloads, which hold tokens for many services
    (Slack and Telegram paths, Pushover's token in the body): only these two kinds are kept.
    """
    keep = [
        text
        for level, text in lines
        if level >= logging.WARNING or text.startswith(("Socket Exception", "Response Details"))
    ]
    text = " | ".join(line.replace("\r\n", " ").strip() for line in keep[-3:])
    text = text or "the service refused the message (no reason given)"
    # A path may hold the tokens (Slack, Telegram, Discord webhooks): never keep it.
    return SECRET_PATH.sub(r"\1…", text)[:500]
