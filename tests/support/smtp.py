"""An aiosmtpd server on 127.0.0.1 that records what it accepts and fails on request.

`smtp_server` yields an `SMTPRecorder`: `.messages` (parsed EmailMessage, with the
envelope recipient in `.rcpt`), `fail_after(n)` to answer 421 and drop every
transaction after n accepted messages, `refuse(address, code)` to answer a code
on RCPT for one address (421 then closing the connection, 451/452 greylisting, 550/554), `drop_after_data(address)`
to take a message in and close the connection without answering, `answer_late(address,
seconds)` to take it in and answer after the client gave up, `heal()` to go back to normal.
The two last ones record the message: the server has it, the client cannot know.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

__all__ = ["SMTPRecorder", "smtp_server"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SMTPRecorder:
    host: str
    port: int
    messages: list[tuple[str, EmailMessage]] = field(default_factory=list)
    limit: int | None = None
    refused: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    late: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    close_delay: float = 0.05  # how long after a 421 the server takes to close the channel
    used_after_421: int = 0  # commands a client sent on a channel after its 421

    def drop_after_data(self, address: str) -> None:
        self.dropped.add(address.lower())

    def answer_late(self, address: str, seconds: float) -> None:
        self.late[address.lower()] = seconds

    def fail_after(self, count: int) -> None:
        self.limit = count

    def refuse(self, address: str, reply: str = "550 5.1.1 no such user") -> None:
        self.refused[address.lower()] = reply

    def heal(self) -> None:
        self.limit = None
        self.refused.clear()
        self.dropped.clear()
        self.late.clear()

    def count(self, address: str) -> int:
        return sum(1 for rcpt, _ in self.messages if rcpt.lower() == address.lower())

    def recipients(self) -> list[str]:
        return [rcpt for rcpt, _ in self.messages]

    def wait(self, count: int, timeout: float = 10.0) -> list[tuple[str, EmailMessage]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")
            time.sleep(0.02)
        return self.messages

    def env(self) -> dict[str, str]:
        """Settings that point summitwatch at this server."""
        return {"SUMMITWATCH_SMTP_HOST": self.host, "SUMMITWATCH_SMTP_PORT": str(self.port)}


class _Handler:
    def __init__(self, box: SMTPRecorder) -> None:
        self.box = box

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        self._after_421(session)
        return "250 OK"

    def _after_421(self, session: Any) -> None:
        if getattr(session, "summitwatch_closing", False):
            self.box.used_after_421 += 1

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self._after_421(session)
        if self.box.limit is not None and len(self.box.messages) >= self.box.limit:
            return "421 4.3.2 service not available, closing channel"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self.box.refused.get(address.lower())
        if reply:
            if reply.startswith("421"):  # RFC 5321 4.2.2: the server closes the channel after a 421
                session.summitwatch_closing = True
                asyncio.get_running_loop().call_later(self.box.close_delay, server.transport.close)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.box.lock:
            for rcpt in envelope.rcpt_tos:
                self.box.messages.append((rcpt, message))
        wanted = {r.lower() for r in envelope.rcpt_tos}
        if wanted & self.box.dropped:
            server.transport.abort()  # the message is in; the answer never leaves
            return "250 OK"
        delay = max((self.box.late.get(r, 0.0) for r in wanted), default=0.0)
        if delay:
            await asyncio.sleep(delay)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[SMTPRecorder]:
    """A recording SMTP server on 127.0.0.1 (aiosmtpd), stopped after the test."""
    port = _free_port()
    box = SMTPRecorder("127.0.0.1", port)
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
