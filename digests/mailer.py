"""Mail transports, registered by name: "smtp" (STARTTLS / SSL / auth) and "outbox" (.eml files).

A transport sends one message to one recipient and keeps its connection open
between messages (a digest run sends thousands). Failures come out as
`MailError` with `permanent` set from the SMTP reply code, so the send loop can
decide between retrying later and giving up on an address.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from summitwatch.config import Settings, get_settings


class MailError(Exception):
    """A message that did not go; `permanent` (5xx) means retrying will not help."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None, rcpt: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.rcpt = rcpt


class Transport(Protocol):
    name: str

    def send(self, message: EmailMessage, recipient: str) -> None: ...

    def close(self) -> None: ...


class SMTPTransport:
    """smtplib over one reused connection; reconnects after any failure."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if s.smtp_security == "ssl":
            conn = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context)
        else:
            conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            if s.smtp_security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
        if s.smtp_user:
            conn.login(s.smtp_user, s.smtp_password.get_secret_value())
        return conn

    def send(self, message: EmailMessage, recipient: str) -> None:
        try:
            if self._conn is None:
                self._conn = self._connect()
            self._conn.sendmail(*_envelope(message, recipient))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            self._reset()
            raise MailError(
                f"RCPT refused: {code} {_text(reply)}", permanent=code >= 500, code=code, rcpt=True
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise MailError(
                f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
                code=exc.smtp_code,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(f"SMTP connection: {exc.__class__.__name__}: {exc}") from exc

    def _reset(self) -> None:
        """After a refused recipient the session can go on; RSET so the next MAIL starts clean."""
        if self._conn is not None:
            try:
                self._conn.rset()
            except (smtplib.SMTPException, OSError):
                self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None


class OutboxTransport:
    """The embedded default: each message becomes an .eml file, written atomically."""

    name = "outbox"

    def __init__(self, settings: Settings) -> None:
        self.folder = Path(settings.effective_outbox_dir)

    def send(self, message: EmailMessage, recipient: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / f"{uuid.uuid4().hex}.eml"
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as handle:
                handle.write(f"X-Outbox-Recipient: {recipient}\r\n".encode())
                handle.write(message.as_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(final)
        except OSError as exc:
            raise MailError(f"outbox {self.folder}: {exc}") from exc

    def close(self) -> None:
        return None


TransportFactory = Callable[[Settings], Transport]
TRANSPORTS: dict[str, TransportFactory] = {"smtp": SMTPTransport, "outbox": OutboxTransport}


def register_transport(name: str, factory: TransportFactory) -> None:
    """Add a transport (tests, another provider's API) under a name."""
    TRANSPORTS[name] = factory


def default_transport_name(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    return "smtp" if settings.smtp_host else "outbox"


@contextmanager
def open_transport(name: str | None = None, settings: Settings | None = None) -> Iterator[Transport]:
    """The named transport (default: smtp when smtp_host is set, else outbox), closed on exit."""
    settings = settings or get_settings()
    name = name or default_transport_name(settings)
    if name not in TRANSPORTS:
        raise ValueError(f"unknown mail transport {name!r} (known: {', '.join(sorted(TRANSPORTS))})")
    transport = TRANSPORTS[name](settings)
    try:
        yield transport
    finally:
        transport.close()


def _envelope(message: EmailMessage, recipient: str) -> tuple[str, list[str], bytes, list[str]]:
    """Serialise ourselves: smtplib.send_message would mangle body lines starting "From "."""
    sender = parseaddr(str(message["From"]))[1]
    international = not (sender + recipient).isascii()
    policy = message.policy.clone(linesep="\r\n", utf8=international)
    options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
    return sender, [recipient], message.as_bytes(policy=policy), options


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
