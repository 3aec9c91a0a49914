"""The crawl child: runs one spider in its own process (Twisted's reactor cannot restart).

    python -m crawler.child SOURCE --run-id N [--base-url URL] [--full]

Progress goes to stdout as JSON lines (`{"event": "progress", ...}`, then one
`{"event": "done", ...}`); Scrapy's log goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from crawler.sources import load_sources
from crawler.spiders.base import SiteSpider
from crawler.spiders.configured import spider_class

PROGRESS_KEYS = (
    "requests",
    "pages",
    "new",
    "updated",
    "unchanged",
    "not_modified",
    "errors",
    "fallback_extractions",
    "refused",
)


def emit(event: str, **data: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **data}, default=str) + "\n")
    sys.stdout.flush()


class ProgressReporter:
    """Sends the spider's counts to the parent, at most a few times a second."""

    def __init__(self, interval: float = 0.3) -> None:
        self.interval = interval
        self.last = 0.0

    def __call__(self, spider: SiteSpider, force: bool = False, **_: Any) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        counts = {k: int(spider.counts.get(k, 0)) for k in PROGRESS_KEYS}
        stats = spider.crawler.stats.get_stats() if spider.crawler.stats else {}
        counts["requests"] = int(stats.get("downloader/request_count", 0))
        emit("progress", source=spider.name, **counts)


def exit_when_orphaned(interval: float = 2.0) -> None:
    """Stop if the parent dies: no one would read our progress or kill us on its timeout.

    The child runs in its own session (so the parent can kill its whole group), which
    also means a killed scheduler would leave it crawling on, possibly beside the next
    scheduler's crawl of the same source. What is stored so far stays stored.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                sys.stderr.write("crawl child: parent process gone, stopping\n")
                sys.stderr.flush()
                os._exit(3)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.child")
    parser.add_argument("source", choices=sorted(load_sources()))
    parser.add_argument("--run-id", type=int, default=None)
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    exit_when_orphaned()

    process = CrawlerProcess({"LOG_LEVEL": "WARNING"}, install_root_handler=True)
    crawler = process.create_crawler(spider_class(args.source))
    reporter = ProgressReporter()

    def report(*_: Any, **kwargs: Any) -> None:
        spider = kwargs.get("spider") or crawler.spider
        if spider is not None:
            reporter(spider)

    crawler.signals.connect(report, signal=signals.item_scraped)
    crawler.signals.connect(report, signal=signals.response_received)
    process.crawl(crawler, base_url=args.base_url, full=args.full, run_id=args.run_id)
    process.start()
    spider = crawler.spider
    if not isinstance(spider, SiteSpider) or spider.final_status is None:
        emit("done", source=args.source, status="failed", summary="the spider did not finish")
        return 1
    reporter(spider, force=True)
    status, summary = spider.final_status
    emit("done", source=args.source, status=status, summary=summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
