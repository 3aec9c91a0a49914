"""A digest's bytes built once per view and completed per recipient, without the `email` package.

Building each of 10,000 messages through `EmailMessage` (header registry, then the
generator flattening it) cost about 8 ms a message, more than the SMTP conversation.
What differs between two subscribers of one view is small: To, Date, Message-ID, the
List-Unsubscribe target and two signed links in the bodies. `DigestTemplate` folds the
shared headers once with the `email` package's own SMTP policy, and each `message` call
writes the recipient's headers and encodes the two bodies (quoted-printable and base64,
both done in C by `binascii`). The result is the same message `messages.build_message`
builds (a test parses both and compares them).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from digests.render import Rendered
from summitwatch.config import Settings

CRLF = b"\r\n"
_SMTP = policy.SMTP


@dataclass(frozen=True)
class RawMessage:
    """A finished message: its envelope sender and its bytes (CRLF line ends), ready for DATA."""

    sender: str
    data: bytes
    international: bool = False

    def as_bytes(self) -> bytes:
        return self.data


def _header(name: str, value: str) -> bytes:
    """One header folded by the SMTP policy (encoded words for non-ASCII)."""
    return _SMTP.fold_binary(name, _SMTP.header_factory(name, value))


def _plain(name: str, value: str) -> bytes:
    """A header whose value is ASCII (or an address sent with SMTPUTF8) and needs no encoding."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} may not contain a line break")
    return f"{name}: {value}".encode() + CRLF


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _ended(text: str) -> bytes:
    """UTF-8, ending with a line break (as `EmailMessage.set_content` makes it)."""
    text = text.replace("\r\n", "\n")
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _quoted_printable(text: str) -> bytes:
    return _crlf(binascii.b2a_qp(_ended(text), istext=True))


def _base64(text: str) -> bytes:
    return _crlf(base64.encodebytes(_ended(text)))


class DigestTemplate:
    """One view of a digest (language, filters): the shared headers folded once, the bodies with
    slots where each recipient's links go."""

    def __init__(
        self, rendered: Rendered, settings: Settings, *, manage_slot: str, unsubscribe_slot: str
    ) -> None:
        self.rendered = rendered
        self.slots = (manage_slot, unsubscribe_slot)
        self.sender = parseaddr(settings.mail_from)[1]
        self.boundary = f"=_sw_{uuid.uuid4().hex}"  # '=_' never occurs in QP or base64 text
        self.head = b"".join(
            [
                _header("Subject", rendered.subject),
                _header("From", settings.mail_from),
            ]
        )
        self.list_headers = b"".join(
            [
                _plain("Auto-Submitted", "auto-generated"),
                _header("List-Id", f"summitwatch weekly digest <{settings.digest.list_id}>"),
            ]
        )
        self.mailto = f"<mailto:{self.sender}?subject={quote('unsubscribe')}>" if self.sender else ""
        self.mime = (
            _plain("MIME-Version", "1.0")
            + _plain("Content-Type", f'multipart/alternative; boundary="{self.boundary}"')
            + CRLF
        )
        b = self.boundary.encode()
        self.text_head = (
            b"--"
            + b
            + CRLF
            + b'Content-Type: text/plain; charset="utf-8"'
            + CRLF
            + b"Content-Transfer-Encoding: quoted-printable"
            + CRLF
            + CRLF
        )
        self.html_head = (
            CRLF
            + b"--"
            + b
            + CRLF
            + b'Content-Type: text/html; charset="utf-8"'
            + CRLF
            + b"Content-Transfer-Encoding: base64"
            + CRLF
            + CRLF
        )
        self.end = b"--" + b + b"--" + CRLF

    def message(
        self, recipient: str, *, message_id: str, manage_url: str, unsubscribe_url: str, one_click_url: str
    ) -> RawMessage:
        """The message to one recipient, with their links."""
        manage_slot, unsubscribe_slot = self.slots
        text = self.rendered.text.replace(manage_slot, manage_url).replace(unsubscribe_slot, unsubscribe_url)
        html = self.rendered.html.replace(manage_slot, manage_url).replace(unsubscribe_slot, unsubscribe_url)
        international = not (self.sender + recipient).isascii()
        targets = ", ".join(t for t in (f"<{one_click_url}>", self.mailto) if t)
        data = b"".join(
            [
                self.head,
                _plain("To", recipient) if international else _header("To", recipient),
                _plain("Date", format_datetime(datetime.now(UTC))),
                _plain("Message-ID", message_id),
                self.list_headers,
                _plain("List-Unsubscribe", targets),
                _plain("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                _plain("Precedence", "bulk"),
                self.mime,
                self.text_head,
                _quoted_printable(text),
                self.html_head,
                _base64(html),
                self.end,
            ]
        )
        return RawMessage(self.sender, data, international)
