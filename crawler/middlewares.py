"""Downloader middlewares: conditional GET, and retries that back off."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response


class NotModified(IgnoreRequest):
    """A 304: the page is as we stored it; nothing more to do."""


class ConditionalGetMiddleware:
    """Send the ETag / Last-Modified remembered for a page; turn a 304 into NotModified.

    Pages are keyed by their canonical URL (`request.meta["canonical"]`), so a mirror
    and the real site share nothing but the key. `meta["conditional"] = False` skips it
    (entry points of a --full crawl).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        key = request.meta.get("canonical")
        if not key or request.meta.get("conditional") is False:
            return None
        etag, last_modified = getattr(spider, "validators", {}).get(key, (None, None))
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode())
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified.encode())
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if response.status == 304:
            counts = getattr(spider, "counts", None)
            if counts is not None:
                counts["not_modified"] += 1
            raise NotModified(f"not modified: {request.url}")
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, timeouts), each one waiting twice as long as the last."""

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            base = self.crawler.settings.getfloat("RETRY_BACKOFF", 1.0)
            attempt = int(retry.meta.get("retry_times", 1))
            retry.meta["retry_delay"] = base * (2 ** (attempt - 1))
        return retry


class BackoffDelayMiddleware:
    """Holds a retried request for its `retry_delay` before it is downloaded."""

    async def process_request(self, request: Request) -> None:
        delay = float(request.meta.pop("retry_delay", 0) or 0)
        if delay > 0:
            await asyncio.sleep(delay)
        return None
