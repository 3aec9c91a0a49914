"""An unexpected error in a route answers 500 and leaves the connection open.

Starlette's outermost error middleware answers 500 too, but then re-raises, and the
server closes the connection: the client's next request on it is reset. Here the error
is logged with its traceback and answered; only once an answer has started (a streamed
CSV broke half-way) is it raised on, since the client must then see a cut answer.
"""

from __future__ import annotations

import logging

from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

DETAIL = "internal error; it has been logged"


class AnswerErrors:
    """ASGI middleware: a 500 answer for an exception no handler took, the connection kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if started:
                raise
            logger.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            answer: Response
            if str(scope.get("path", "")).startswith("/api/"):
                answer = JSONResponse({"detail": DETAIL}, status_code=500)
            else:
                answer = PlainTextResponse(DETAIL, status_code=500)
            await answer(scope, receive, send)
