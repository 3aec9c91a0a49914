"""Mail transports, registered by name: "smtp" (STARTTLS / SSL / auth) and "outbox" (.eml files).

A transport sends one message to one recipient and keeps its connection open
between messages (a digest run sends thousands). Failures come out as
`MailError` with `permanent` set from the SMTP reply code, `rcpt` when only that
recipient was refused, and `handed_over` when the message had already been given to
the server (DATA sent) and its answer was lost or late: the message may have gone,
so the send loop must never send it again by itself.

The SMTP conversation is driven step by step (MAIL, RCPT, DATA, the message, its
reply) rather than through `sendmail`, which cannot tell a failure before DATA from
one after it.
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

from digests.raw_message import RawMessage
from summitwatch.config import Settings, get_settings


class MailError(Exception):
    """A message that did not go; `permanent` (5xx) means retrying will not help."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        code: int | None = None,
        rcpt: bool = False,
        handed_over: bool = False,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.rcpt = rcpt
        self.handed_over = handed_over


Message = EmailMessage | RawMessage


class Transport(Protocol):
    name: str

    def send(self, message: Message, recipient: str) -> None: ...

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

    def send(self, message: Message, recipient: str) -> None:
        sender, recipients, payload, options = _envelope(message, recipient)
        try:
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            conn.ehlo_or_helo_if_needed()
            if options and not conn.has_extn("smtputf8"):
                raise MailError(
                    "the server does not accept international addresses (no SMTPUTF8)", permanent=True
                )
            code, reply = conn.mail(sender, options)
            if code != 250:
                self._reset(code)
                raise MailError(f"MAIL FROM refused: {code} {_text(reply)}", permanent=code >= 500, code=code)
            code, reply = conn.rcpt(recipients[0])
            if code not in (250, 251):
                self._reset(code)
                raise MailError(
                    f"RCPT refused: {code} {_text(reply)}", permanent=code >= 500, code=code, rcpt=True
                )
            code, reply = conn.docmd("DATA")
            if code != 354:
                self._reset(code)
                raise MailError(f"DATA refused: {code} {_text(reply)}", permanent=code >= 500, code=code)
        except MailError:
            raise
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
        self._hand_over(conn, payload)

    def _hand_over(self, conn: smtplib.SMTP, payload: bytes) -> None:
        """Send the message after DATA's 354; from the first byte on, a lost reply is not a failure
        we may retry: the server may have accepted it."""
        data = smtplib._quote_periods(payload)  # type: ignore[attr-defined]
        if not data.endswith(smtplib.bCRLF):
            data += smtplib.bCRLF
        try:
            conn.send(data + b"." + smtplib.bCRLF)
            code, reply = conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise MailError(
                f"no answer after the message was handed over ({exc.__class__.__name__}: {exc})",
                handed_over=True,
            ) from exc
        if code != 250:
            self._reset(code)
            raise MailError(f"message refused: {code} {_text(reply)}", permanent=code >= 500, code=code)

    def _reset(self, code: int) -> None:
        """After a refused recipient the session can go on; RSET so the next MAIL starts clean.

        Not after a 421: the server is closing the channel (RFC 5321 4.2.2), perhaps a moment
        later, and a message started on it could be cut after DATA and left for a person.
        The next message opens a new connection, as smtplib's own sendmail does.
        """
        if code == 421:
            self.close()
            return
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

    def send(self, message: Message, recipient: str) -> None:
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


def _envelope(message: Message, recipient: str) -> tuple[str, list[str], bytes, list[str]]:
    """Serialise ourselves: smtplib.send_message would mangle body lines starting "From "."""
    if isinstance(message, RawMessage):  # built as bytes already (`digests.raw_message`)
        options = ["SMTPUTF8", "BODY=8BITMIME"] if message.international else []
        return message.sender, [recipient], message.data, options
    sender = parseaddr(str(message["From"]))[1]
    international = not (sender + recipient).isascii()
    policy = message.policy.clone(linesep="\r\n", utf8=international)
    options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
    return sender, [recipient], message.as_bytes(policy=policy), options


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
