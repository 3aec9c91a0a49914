"""Per-source crawl configuration, read from `crawler/sources.toml` (no code per feed)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

SOURCES_FILE = Path(__file__).with_name("sources.toml")


@dataclass(frozen=True)
class SourceConfig:
    """What the spiders need to know of one site; regexes apply to path + query."""

    slug: str
    canonical: str
    aliases: tuple[str, ...] = ()
    language: str = "fr"
    listings: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    extra_feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sitemap_filter: tuple[re.Pattern[str], ...] = ()
    articles: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = field(default=())
    sitemap_since: str | None = None  # ISO date: older sitemap entries are skipped unless --full

    @property
    def host(self) -> str:
        return urlsplit(self.canonical).netloc

    def hosts(self) -> set[str]:
        """Every host name that means this site (canonical, aliases, with and without www.)."""
        names = {self.host, *self.aliases}
        return (
            names | {n.removeprefix("www.") for n in names} | {"www." + n.removeprefix("www.") for n in names}
        )

    def is_article(self, path: str) -> bool:
        return not self.is_excluded(path) and any(p.search(path) for p in self.articles)

    def is_excluded(self, path: str) -> bool:
        return any(p.search(path) for p in self.exclude)

    def in_sitemap_scope(self, path: str) -> bool:
        listings = {urlsplit(u).path for u in self.listings}
        if path in listings or path.rstrip("/") in {p.rstrip("/") for p in listings} or "?" in path:
            return False
        return not self.is_excluded(path) and any(p.search(path) for p in self.sitemap_filter)


def _patterns(values: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(v) for v in values)
    except re.error as exc:
        raise ValueError(f"{where}: bad regular expression: {exc}") from exc


def _since(value: object, where: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"{where}: sitemap_since must be a date YYYY-MM-DD, got {value!r}") from None


def parse_sources(
    data: dict[str, dict[str, object]], origin: str = "sources.toml"
) -> dict[str, SourceConfig]:
    """Validate the TOML tables into configs, naming the table and key that is wrong."""
    known = {
        "canonical",
        "aliases",
        "language",
        "listings",
        "feeds",
        "extra_feeds",
        "sitemaps",
        "sitemap_filter",
        "articles",
        "exclude",
        "sitemap_since",
    }
    result: dict[str, SourceConfig] = {}
    for slug, table in data.items():
        where = f"{origin} [{slug}]"
        unknown = set(table) - known
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        canonical = str(table.get("canonical", "")).rstrip("/")
        if not canonical.startswith("https://"):
            raise ValueError(f"{where}: canonical must be an https:// URL, got {canonical!r}")

        def strings(key: str, table: dict[str, object] = table, where: str = where) -> list[str]:
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{where}: {key} must be a list of strings")
            return value

        result[slug] = SourceConfig(
            slug=slug,
            canonical=canonical,
            aliases=tuple(strings("aliases")),
            language=str(table.get("language", "fr")),
            listings=tuple(strings("listings")),
            feeds=tuple(strings("feeds")),
            extra_feeds=tuple(strings("extra_feeds")),
            sitemaps=tuple(strings("sitemaps")),
            sitemap_filter=_patterns(strings("sitemap_filter"), f"{where} sitemap_filter"),
            articles=_patterns(strings("articles"), f"{where} articles"),
            exclude=_patterns(strings("exclude"), f"{where} exclude"),
            sitemap_since=_since(table.get("sitemap_since"), where),
        )
    return result


@lru_cache(maxsize=4)
def load_sources(path: Path = SOURCES_FILE) -> dict[str, SourceConfig]:
    """Every configured source, by slug."""
    with path.open("rb") as handle:
        return parse_sources(tomllib.load(handle), origin=str(path))


def get_source(slug: str) -> SourceConfig:
    sources = load_sources()
    if slug not in sources:
        raise KeyError(f"unknown source {slug!r}; configured: {', '.join(sorted(sources))}")
    return sources[slug]
