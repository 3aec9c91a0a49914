"""What a failed request means, in one short phrase and one counter.

Scrapy raises `IgnoreRequest` for very different things: robots.txt, a body that
decompresses past the size cap (a gzip bomb), too many redirects, an offsite
request. Only the first is "robots blocked"; the others are errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.middlewares import NotModified


@dataclass(frozen=True)
class Failed:
    why: str  # "HTTP 404", "robots.txt forbids it", "larger than 10000000 bytes once decompressed"…
    counter: str | None  # anti_bot | robots_blocked | None
    error: bool  # counts as an error of the run
    status: int | None = None


def classify(failure: Failure, kind: str) -> Failed | None:
    """None for a 304 (nothing failed); else what happened."""
    if failure.check(NotModified):
        return None
    if failure.check(HttpError):
        status = int(failure.value.response.status)
        if status == 403:
            return Failed("HTTP 403 (blocked, anti-bot?)", "anti_bot", True, status)
        # An entry point gone is named in the health, but is no error of the run's own.
        return Failed(f"HTTP {status}", None, not (status in (404, 410) and kind != "article"), status)
    if failure.check(IgnoreRequest):
        message = failure.getErrorMessage() or ""
        if "robots.txt" in message:
            return Failed("robots.txt forbids it", "robots_blocked", False)
        if "decompress" in message or "DOWNLOAD_MAXSIZE" in message or "max size" in message.lower():
            return Failed("refused: too large once decompressed (a compression bomb?)", None, True)
        if "redirect" in message:
            return Failed("redirect loop (too many redirections)", None, True)
        return Failed(f"ignored: {message}", None, True)
    name = failure.type.__name__ if failure.type else "error"
    return Failed(f"{name}: {failure.getErrorMessage()}", None, True)
