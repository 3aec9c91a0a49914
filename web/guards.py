"""ASGI guards that refuse a request before any route reads it: oversized bodies, NUL bytes in the URL.

Forms are small, so a body is refused past `max_bytes` whether its size is declared
(`Content-Length`) or not (`Transfer-Encoding: chunked`): streamed bytes are counted as
they arrive, and reading stops at the limit. A NUL byte has no business in a URL, and
PostgreSQL refuses it in text: such requests get a 400 instead of reaching a query.
"""

from __future__ import annotations

from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """The body went past the limit while it was read (FastAPI lets an HTTPException through)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body too large ({max_bytes // 1024} KiB at most)")


class LimitBody:
    """ASGI middleware: 413 for a body over `max_bytes`, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = PlainTextResponse(
            BodyTooLarge(self.max_bytes).detail, status_code=413, headers={"Connection": "close"}
        )
        await answer(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._refuse(scope, receive, send)
                return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)


class RefuseNul:
    """ASGI middleware: 400 for a NUL byte in the path or the query string (raw or %00)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope["path"] or b"\x00" in query or b"%00" in query:
                answer = PlainTextResponse("NUL byte in the request URL", status_code=400)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
