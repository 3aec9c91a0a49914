"""The storage pipeline: each extracted page is stored once, by canonical URL, with its snapshot.

It also owns the crawl_runs row of a spider run: opened here when the spider was
started without one (`scrapy crawl`), always closed here with the counts and the
reason of a failure.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.outcome import run_status
from storage.crawls import finish_run, save_validator, start_run, store_page


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    @property
    def spider(self) -> Spider:
        assert self.crawler.spider is not None
        return self.crawler.spider

    def open_spider(self) -> None:
        spider = self.spider
        if getattr(spider, "run_id", None) is None:
            spider.run_id = start_run(
                spider.name, mode="full" if getattr(spider, "full", False) else "incremental"
            )

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.spider
        publication = item["publication"]
        counts = spider.counts  # type: ignore[attr-defined]
        try:
            outcome = store_page(
                publication, item.get("raw"), item.get("content_type"), item.get("validators")
            )
        except Exception as exc:  # one bad page must not end the run; it is counted and named
            spider.problem(f"{publication.url}: not stored: {type(exc).__name__}: {exc}")  # type: ignore[attr-defined]
            raise DropItem(str(exc)) from exc
        counts[outcome] += 1
        if publication.extracted_by == "fallback":
            counts["fallback_extractions"] += 1
        item["outcome"] = outcome
        return item

    def close_spider(self) -> None:
        spider = self.spider
        counts = spider.counts  # type: ignore[attr-defined]
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts["requests"] = int(stats.get("downloader/request_count", 0))
        status, summary = run_status(counts, spider.entry_ok, spider.problems)  # type: ignore[attr-defined]
        if status == "ok":
            for url, etag, last_modified in spider.validators_to_save:  # type: ignore[attr-defined]
                save_validator(url, etag, last_modified)
        extra = {
            "anti_bot": counts.get("anti_bot", 0),
            "robots_blocked": counts.get("robots_blocked", 0),
            "empty_pages": counts.get("empty_pages", 0),
            "feed_problems": spider.feed_problems,  # type: ignore[attr-defined]
            "problems": spider.problems,  # type: ignore[attr-defined]
            "base_url": spider.base_url,  # type: ignore[attr-defined]
            "finish_reason": stats.get("finish_reason"),
        }
        finish_run(spider.run_id, status, dict(counts), error_summary=summary, stats=extra)  # type: ignore[attr-defined]
        spider.final_status = (status, summary)  # type: ignore[attr-defined]
