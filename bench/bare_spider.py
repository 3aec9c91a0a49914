"""The reference for the crawl benchmark: a bare Scrapy spider on the same served mirror.

    .venv/bin/python bench/bare_spider.py BASE_URL [--concurrency 16]

It walks what our spider walks (the /actualites/ listing, page after page, and the
sitemap), fetches every article once and reads its title and body with CSS selectors,
with the crawl's concurrency and no delay, AutoThrottle, robots.txt or storage. Its
last stdout line is JSON: articles, seconds (first request to close), pages per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

TITLE = "main h1::text, article h1::text"
BODY = "main .fr-text--lead ::text, main .block-paragraph ::text, main [class*='block__paragraph'] ::text"


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.articles = 0
        self.started = 0.0

    async def start(self) -> Any:  # Scrapy >= 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        self.started = time.perf_counter()
        yield scrapy.Request(f"{self.base_url}/actualites/", callback=self.listing)
        yield scrapy.Request(f"{self.base_url}/sitemap.xml", callback=self.sitemap)

    def listing(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.css("a[href^='/actualites/']::attr(href)").getall():
            if href.count("/") == 3 and "?" not in href and "/rss" not in href and "/atom" not in href:
                yield response.follow(href, callback=self.article)
        following = response.css("a.fr-pagination__link--next::attr(href)").get()
        if following:
            yield response.follow(following, callback=self.listing)

    def sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        response.selector.remove_namespaces()
        for loc in response.xpath("//url/loc/text()").getall():
            path = loc.split("://", 1)[-1].split("/", 1)[-1]
            if path.startswith("actualites/") and path.count("/") == 2:
                yield scrapy.Request(f"{self.base_url}/{path}", callback=self.article)

    def article(self, response: Response) -> dict[str, str]:
        self.articles += 1
        title = " ".join(response.css(TITLE).getall()).strip()
        body = " ".join(t.strip() for t in response.css(BODY).getall())
        return {"url": response.url, "title": title, "chars": str(len(body))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "CONCURRENT_REQUESTS": max(8, args.concurrency * 4),
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base_url=args.base_url)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, BareSpider)
    seconds = time.perf_counter() - spider.started
    out = {"articles": spider.articles, "seconds": seconds, "per_second": spider.articles / seconds}
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
