"""Spiders: one shared class (`base.SiteSpider`), made per source from its configuration."""
