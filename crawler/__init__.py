"""The crawler: Scrapy spiders and feed readers that fill `storage` with publications.

Scrapy always runs in a child process (`crawler.child`); `crawler.runner.crawl` is the
entry point for the CLI and the scheduler.
"""
