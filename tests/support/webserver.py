"""pytest fixtures for the web app: a real uvicorn server on 127.0.0.1, tracker data, a mail catcher.

``web_server`` serves ``create_app()`` against the test's database (``db``) on a free
port, in a thread of the test process, with ``SUMMITWATCH_BASE_URL`` pointing at it so
that emailed links lead back to it. ``web_server_factory(**env)`` does the same with
extra ``SUMMITWATCH_*`` variables. ``web_smtp`` is an aiosmtpd server collecting mail.
``seed_tracker(db_url)`` adds publications, evidence and status changes to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Commitment, Evidence
from storage.publications import PublicationInput, upsert_publication
from storage.status import set_status
from summitwatch.config import get_settings, reset_settings

__all__ = ["Mailbox", "WebServer", "seed_tracker", "web_server", "web_server_factory", "web_smtp"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebServer:
    url: str
    db_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    """Serve `app` as `summitwatch serve` would (same proxy options), quieter."""
    from web.serving import server_config

    settings = getattr(getattr(app, "state", None), "settings", None) or get_settings()
    config = server_config(
        app, settings, "127.0.0.1", port, log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    return server, thread


@pytest.fixture
def web_server_factory(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., WebServer]]:
    """Start the app on a free port with extra SUMMITWATCH_* settings (`smtp_port=...`)."""
    from web.app import create_app

    started: list[WebServer] = []

    def start(**env: str) -> WebServer:
        port = free_port()
        monkeypatch.setenv("SUMMITWATCH_BASE_URL", f"http://127.0.0.1:{port}")
        for key, value in env.items():
            monkeypatch.setenv(f"SUMMITWATCH_{key.upper()}", str(value))
        reset_settings()
        server, thread = start_server(create_app(get_settings()), port)
        web = WebServer(f"http://127.0.0.1:{port}", db, server, thread)
        started.append(web)
        return web

    yield start
    for web in started:
        web.stop()


@pytest.fixture
def web_server(web_server_factory: Callable[..., WebServer]) -> WebServer:
    return web_server_factory()


# --- mail ---------------------------------------------------------------------------


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} message(s), got {len(self.messages)} in {timeout}s")
            time.sleep(0.05)
        return self.messages

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        assert part is not None, "message has no text body"
        return str(part.get_content())


class _Collector:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.box.messages.append(message)
        return "250 OK"


@pytest.fixture
def web_smtp() -> Iterator[Mailbox]:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts."""
    port = free_port()
    box = Mailbox("127.0.0.1", port)
    controller = Controller(_Collector(box), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# --- tracker data -------------------------------------------------------------------


def seed_tracker(db_url: str, publications: int = 12) -> dict[str, Any]:
    """Publications on every source, evidence on two commitments, and status changes.

    Titles and excerpts carry HTML-looking text, so pages prove they escape it.
    """
    base = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    with session_scope(db_url) as session:
        ids = {c.slug: c for c in session.scalars(select(Commitment))}
        inesia, current_ai = ids["inesia"], ids.get("current-ai") or next(iter(ids.values()))
        pubs = []
        for i in range(publications):
            source = ("anssi", "elysee", "cesia")[i % 3]
            _, publication = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://example.test/{source}/{i}",
                    source=source,
                    title=f"INESIA publication {i} <b>bold</b>",
                    body=f"L'institut national d'évaluation et de sécurité de l'IA (INESIA) publie son rapport numéro {i}.",
                    published_at=base + timedelta(days=i),
                    language="fr",
                    summary=f"Résumé {i}",
                ),
            )
            pubs.append(publication)
        session.flush()
        for i, publication in enumerate(pubs):
            session.add(
                Evidence(
                    commitment_id=inesia.id,
                    publication_id=publication.id,
                    score=0.5 + i / 100,
                    signal="progress" if i % 4 == 0 else "mention",
                    excerpt=f"<script>alert({i})</script> L'INESIA avance, étape {i}.",
                    matched_terms=["INESIA"],
                    proposed_status="in_progress" if i == publications - 1 else None,
                    created_at=base + timedelta(days=i, hours=1),
                    updated_at=base + timedelta(days=i, hours=1),
                )
            )
        session.add(
            Evidence(
                commitment_id=current_ai.id,
                publication_id=pubs[0].id,
                score=0.9,
                signal="achieved",
                excerpt="Current AI est lancé.",
                matched_terms=["Current AI"],
                created_at=base,
                updated_at=base,
            )
        )
        session.flush()
        change = set_status(
            session, inesia, "in_progress", changed_by="reviewer", note="Lancé <i>officiellement</i>"
        )
        assert change is not None
        change.changed_at = base + timedelta(days=5, hours=12)
        inesia.updated_at = change.changed_at
    return {"inesia": "inesia", "other": current_ai.slug, "publications": publications}
