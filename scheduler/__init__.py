"""Scheduler: APScheduler jobs that run crawl -> match -> digest, one run at a time."""
