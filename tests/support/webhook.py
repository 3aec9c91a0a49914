"""A real webhook server on 127.0.0.1 that keeps what Apprise's `json://` URLs post.

``webhook`` starts one per test; ``webhook_factory()`` more. Each keeps every request
it read (path, headers, JSON body) and answers with ``status`` after ``delay`` seconds,
so a test can make a channel refuse (stopped, or ``status=500``) or hang past the
sender's timeout. ``Webhook.url`` is the Apprise URL that posts to it; ``port`` can be
chosen before the server starts, so a channel can first be refused, then answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.webserver import free_port

__all__ = ["Post", "Webhook", "webhook", "webhook_factory"]


@dataclass
class Post:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.body.get("title", ""))

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))


@dataclass
class Webhook:
    port: int
    path: str = "/hook"
    status: int = 200
    delay: float = 0.0
    posts: list[Post] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}{self.path}"

    def start(self) -> Webhook:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with hook._lock:
                    hook.posts.append(Post(self.path, dict(self.headers), json.loads(raw or b"{}")))
                if hook.delay:
                    time.sleep(hook.delay)
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"webhook-{self.port}", daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait(self, count: int, timeout: float = 10.0) -> list[Post]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} post(s), got {len(self.posts)} in {timeout}s")
            time.sleep(0.05)
        return list(self.posts)


@pytest.fixture
def webhook_factory() -> Iterator[Callable[..., Webhook]]:
    """`make(start=True, **attrs)`: a webhook server on a free port (started unless start=False)."""
    made: list[Webhook] = []

    def make(start: bool = True, **attrs: Any) -> Webhook:
        hook = Webhook(port=free_port(), **attrs)
        made.append(hook)
        return hook.start() if start else hook

    yield make
    for hook in made:
        hook.stop()


@pytest.fixture
def webhook(webhook_factory: Callable[..., Webhook]) -> Webhook:
    return webhook_factory()
