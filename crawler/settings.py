"""Scrapy settings, derived from summitwatch's settings (politeness lives there).

Also usable as a Scrapy project module: `SCRAPY_SETTINGS_MODULE=crawler.settings
scrapy crawl anssi -a base_url=http://127.0.0.1:8765`.
"""

from __future__ import annotations

from typing import Any

from summitwatch.config import get_settings

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"


def scrapy_settings() -> dict[str, Any]:
    """The settings every summitwatch spider runs with."""
    settings = get_settings()
    crawler = settings.crawler
    return {
        "BOT_NAME": "summitwatch",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": crawler.obey_robots,
        "CONCURRENT_REQUESTS": max(8, crawler.concurrency_per_domain * 4),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawler.concurrency_per_domain,
        # Scrapy starts this many asyncio tasks for every response's output (default 100: 7 %
        # of a crawl child's time went to creating them); our one pipeline stores synchronously.
        "CONCURRENT_ITEMS": 16,
        "DOWNLOAD_DELAY": crawler.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if crawler.download_delay > 0 else 0.0,
        "DOWNLOAD_TIMEOUT": crawler.download_timeout,
        "DOWNLOAD_MAXSIZE": crawler.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "AUTOTHROTTLE_ENABLED": crawler.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawler.download_delay, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawler.concurrency_per_domain),
        "RETRY_ENABLED": crawler.retry_times > 0,
        "RETRY_TIMES": crawler.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "RETRY_BACKOFF": crawler.retry_backoff,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19 starts an HTTP server running Python code sent to it (token in a file of
        # the user's profile) in every crawl: not in ours. Off and not even imported (aiohttp),
        # like the cookies middleware (cookies are off): a crawl child starts sooner.
        "REMOTE_CONTROL_ENABLED": False,
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None},
        "LOG_LEVEL": "WARNING",
        "HTTPCACHE_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            "crawler.middlewares.BackoffDelayMiddleware": 560,
            "crawler.middlewares.ConditionalGetMiddleware": 950,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
