"""Per-source crawl configuration, read from `sources.toml`: a source needs no code.

`crawler/sources.toml` by default; `crawler.sources_file` (SUMMITWATCH_CRAWLER__SOURCES_FILE)
points at another file, e.g. a copy with a fourth source added.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError

from crawler.extract.selectors import SiteSelectors
from summitwatch.config import get_settings

SOURCES_FILE = Path(__file__).with_name("sources.toml")
_KEYS = {
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
    "selectors",
}
_SELECTOR_KEYS = {"title", "date", "body", "drop", "tags", "boilerplate"}


class SourcesError(ValueError):
    """sources.toml is wrong; the message names the file, the table and the key."""


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
    selectors: SiteSelectors = field(default_factory=SiteSelectors)

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

    def is_listing(self, path: str) -> bool:
        listings = {urlsplit(u).path.rstrip("/") for u in self.listings}
        return path.split("?", 1)[0].rstrip("/") in listings

    def in_sitemap_scope(self, path: str) -> bool:
        if self.is_listing(path) or "?" in path:
            return False
        return not self.is_excluded(path) and any(p.search(path) for p in self.sitemap_filter)

    def in_patterns(self, path: str) -> bool:
        """Whether a configured pattern covers this article (else it is counted 'outside the patterns')."""
        return self.is_article(path) or self.in_sitemap_scope(path)

    @property
    def has_selectors(self) -> bool:
        """Whether the site's own markup is configured (else generic extraction is the norm, not a fault)."""
        return bool(self.selectors.body)


def _patterns(values: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(v) for v in values)
    except re.error as exc:
        raise SourcesError(f"{where}: bad regular expression: {exc}") from exc


def _since(value: object, where: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise SourcesError(f"{where}: sitemap_since must be a date YYYY-MM-DD, got {value!r}") from None


def _strings(table: dict[str, object], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesError(f"{where}: {key} must be a list of strings")
    return value


_PSEUDO = re.compile(r"::(?:text|attr\([^)]*\))\s*$")


def _css(values: list[str], where: str) -> tuple[str, ...]:
    translator = GenericTranslator()
    for css in values:
        try:
            for part in css.split(","):
                translator.css_to_xpath(_PSEUDO.sub("", part.strip()))
        except SelectorError as exc:
            raise SourcesError(f"{where}: bad CSS selector {css!r}: {exc}") from None
    return tuple(values)


def _selectors(value: object, where: str) -> SiteSelectors:
    """The optional `[slug.selectors]` table: the site's own markup, tried before generic extraction."""
    if value is None:
        return SiteSelectors()
    if not isinstance(value, dict):
        raise SourcesError(f"{where}: selectors must be a table")
    unknown = set(value) - _SELECTOR_KEYS
    if unknown:
        raise SourcesError(
            f"{where}: unknown keys {sorted(unknown)} (known: {', '.join(sorted(_SELECTOR_KEYS))})"
        )
    return SiteSelectors(
        title=_css(_strings(value, "title", where), f"{where} title"),
        date=_css(_strings(value, "date", where), f"{where} date"),
        body=_css(_strings(value, "body", where), f"{where} body"),
        drop=_css(_strings(value, "drop", where), f"{where} drop"),
        tags=_css(_strings(value, "tags", where), f"{where} tags"),
        boilerplate=_patterns(_strings(value, "boilerplate", where), f"{where} boilerplate"),
    )


def parse_sources(
    data: dict[str, dict[str, object]], origin: str = "sources.toml"
) -> dict[str, SourceConfig]:
    """Validate the TOML tables into configs, naming the table and key that is wrong."""
    result: dict[str, SourceConfig] = {}
    for slug, table in data.items():
        where = f"{origin} [{slug}]"
        if not isinstance(table, dict):
            raise SourcesError(f"{where}: expected a table")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
            raise SourcesError(f"{where}: a slug is lower-case letters, digits and dashes")
        unknown = set(table) - _KEYS
        if unknown:
            raise SourcesError(f"{where}: unknown keys {sorted(unknown)}")
        canonical = str(table.get("canonical", "")).rstrip("/")
        if not canonical.startswith("https://"):
            raise SourcesError(f"{where}: canonical must be an https:// URL, got {canonical!r}")
        if not any(table.get(k) for k in ("listings", "feeds", "extra_feeds", "sitemaps")):
            raise SourcesError(f"{where}: give at least one of listings, feeds or sitemaps")
        result[slug] = SourceConfig(
            slug=slug,
            canonical=canonical,
            aliases=tuple(_strings(table, "aliases", where)),
            language=str(table.get("language", "fr")),
            listings=tuple(_strings(table, "listings", where)),
            feeds=tuple(_strings(table, "feeds", where)),
            extra_feeds=tuple(_strings(table, "extra_feeds", where)),
            sitemaps=tuple(_strings(table, "sitemaps", where)),
            sitemap_filter=_patterns(_strings(table, "sitemap_filter", where), f"{where} sitemap_filter"),
            articles=_patterns(_strings(table, "articles", where), f"{where} articles"),
            exclude=_patterns(_strings(table, "exclude", where), f"{where} exclude"),
            sitemap_since=_since(table.get("sitemap_since"), where),
            selectors=_selectors(table.get("selectors"), f"{where} selectors"),
        )
    return result


def sources_file() -> Path:
    """The sources.toml in use: the setting's, else the one shipped beside this module."""
    return get_settings().crawler.sources_file or SOURCES_FILE


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, SourceConfig]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such sources file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    return parse_sources(data, origin=str(path))


def load_sources(path: Path | None = None) -> dict[str, SourceConfig]:
    """Every configured source, by slug."""
    return _load(path or sources_file())


def get_source(slug: str) -> SourceConfig:
    sources = load_sources()
    if slug not in sources:
        raise KeyError(f"unknown source {slug!r}; configured: {', '.join(sorted(sources))}")
    return sources[slug]
