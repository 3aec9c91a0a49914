"""The storage pipeline: each extracted page is stored once, by canonical URL, with its snapshot.

Pages are stored in batches (`BATCH` pages, or every `BATCH_SECONDS` by a reactor timer so a
site that stalls mid-crawl does not hold fetched pages back, and at the end of the run), one
transaction each: a commit per page was a fifth of a crawl's
time. Each page keeps its own outcome; one that fails is named and the others are kept.

A page that would replace a good stored version with junk is refused by storage (or
already by the spider) and recorded with its bytes. The pipeline also owns the
crawl_runs row of a spider run: opened here when the spider was started without one
(`scrapy crawl`), always closed here with the counts, the health and its reasons.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy.crawler import Crawler
from twisted.internet import task

from crawler.health import assess
from crawler.spiders.base import SiteSpider
from storage.crawls import PageToStore, finish_run, record_refusal, save_validator, start_run, store_pages

BATCH = 50
BATCH_SECONDS = 2.0


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch: list[tuple[dict[str, Any], PageToStore]] = []
        self.batch_started = 0.0
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    @property
    def spider(self) -> SiteSpider:
        spider = self.crawler.spider
        assert isinstance(spider, SiteSpider)
        return spider

    def open_spider(self) -> None:
        spider = self.spider
        if spider.run_id is None:
            spider.run_id = start_run(spider.name, mode="full" if spider.full else "incremental")
        self.timer = task.LoopingCall(self.flush)
        self.timer.start(BATCH_SECONDS, now=False)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.spider
        ledger = spider.ledger
        if "refusal" in item:
            refusal = item["refusal"]
            record_refusal(
                spider.name,
                spider.run_id,
                refusal["url"],
                refusal["reason"],
                item["raw"],
                item["content_type"],
            )
            ledger.refuse(refusal["url"], refusal["reason"])
            item["outcome"] = "refused"
            return item
        publication = item["publication"]
        if not self.batch:
            self.batch_started = time.monotonic()
        page = (publication, item.get("raw"), item.get("content_type"), item.get("validators"))
        self.batch.append((item, page))
        if len(self.batch) >= BATCH or time.monotonic() - self.batch_started > BATCH_SECONDS:
            self.flush()
        return item

    def flush(self) -> None:
        """Store the waiting pages in one transaction and count each page's outcome."""
        if not self.batch:
            return
        spider = self.spider
        ledger = spider.ledger
        batch, self.batch = self.batch, []
        results = store_pages([page for _, page in batch], run_id=spider.run_id)
        for (item, (publication, *_)), result in zip(batch, results, strict=True):
            if isinstance(result, Exception):  # one bad page must not end the run; it is counted and named
                ledger.problem(f"{publication.url}: not stored: {type(result).__name__}: {result}")
                item["outcome"] = "error"
                continue
            outcome, why = result
            if outcome == "refused":
                ledger.refuse(publication.url, why or "does not look like the stored article")
            else:
                ledger.counts[outcome] += 1
                if publication.extracted_by == "fallback":
                    ledger.counts["fallback_extractions"] += 1
                spider.stored_now.append(publication.url)
            item["outcome"] = outcome

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()
        spider = self.spider
        counts = spider.ledger.counts
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts["requests"] = int(stats.get("downloader/request_count", 0))
        verdict = assess(spider.ledger, spider.source, [*spider.known_urls, *spider.stored_now])
        counts["outside_patterns"] = len(verdict.outside)
        if verdict.status == "ok":
            for url, etag, last_modified in spider.validators_to_save:
                save_validator(url, etag, last_modified)
        extra = {
            "anti_bot": counts.get("anti_bot", 0),
            "robots_blocked": counts.get("robots_blocked", 0),
            "empty_pages": counts.get("empty_pages", 0),
            "extracted": counts.get("extracted", 0),
            "selector_misses": counts.get("selector_misses", 0),
            "listed_unknown": len(spider.ledger.listed_unknown),
            "entry_points": [p.as_dict() for p in spider.ledger.entries.values()],
            "outside_patterns": verdict.outside[:50],
            "refused": [{"url": u, "reason": r} for u, r in spider.ledger.refused],
            "feed_problems": spider.ledger.feed_problems,
            "problems": spider.ledger.problems,
            "base_url": spider.base_url,
            "finish_reason": stats.get("finish_reason"),
        }
        assert spider.run_id is not None
        finish_run(
            spider.run_id,
            verdict.status,
            dict(counts),
            error_summary=verdict.summary,
            stats=extra,
            health=verdict.health,
            reasons=verdict.reasons,
        )
        spider.final_status = (verdict.status, verdict.summary)
