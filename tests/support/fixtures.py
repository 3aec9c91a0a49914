"""pytest fixtures serving the fixture mirrors (import them from ``tests/conftest.py``).

``anssi_site``, ``elysee_site`` and ``cesia_site`` start a fresh :class:`FixtureSite`
per test on the matching mirror of ``tests/sites/``; the ``*_drift_site`` fixtures serve
the redesigned mirrors of ``tests/sites/drift/``. Labelled publications for the
tracker live in ``tests/data/labelled/fixtures.jsonl`` (:func:`labelled_path`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from summitwatch.config import reset_settings

from .sites import FixtureSite

__all__ = [
    "fast",
    "anssi_drift_site",
    "anssi_site",
    "cesia_drift_site",
    "cesia_site",
    "elysee_drift_site",
    "elysee_site",
    "labelled_path",
    "serve",
    "sites_root",
]

SITE_NAMES = ("anssi", "elysee", "cesia")


@pytest.fixture
def fast(db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test database, and politeness scaled down for a local server (defaults stay polite)."""
    for key, value in {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE": "false",
        "RETRY_TIMES": "1",
        "RETRY_BACKOFF": "0.1",
        "DOWNLOAD_TIMEOUT": "4",
        "CONCURRENCY_PER_DOMAIN": "4",
    }.items():
        monkeypatch.setenv(f"SUMMITWATCH_CRAWLER__{key}", value)
    reset_settings()
    return db


def sites_root() -> Path:
    """The folder holding the mirrors (``tests/sites``)."""
    return Path(__file__).resolve().parent.parent / "sites"


def labelled_path() -> Path:
    """The labelled publications for the tracker (``tests/data/labelled/fixtures.jsonl``)."""
    return Path(__file__).resolve().parent.parent / "data" / "labelled" / "fixtures.jsonl"


def serve(name: str, *, drift: bool = False) -> Iterator[FixtureSite]:
    """Start a mirror by name, yield it, stop it (the body of the fixtures below)."""
    if name not in SITE_NAMES:
        raise ValueError(f"unknown fixture site {name!r}; expected one of {SITE_NAMES}")
    root = sites_root() / "drift" / name if drift else sites_root() / name
    site = FixtureSite(root).start()
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def anssi_site() -> Iterator[FixtureSite]:
    """cyber.gouv.fr mirror (2026 design, old Drupal seed page, RSS/Atom feeds)."""
    yield from serve("anssi")


@pytest.fixture
def elysee_site() -> Iterator[FixtureSite]:
    """elysee.fr mirror (dated articles, speeches, summit section, sitemap index, /feed)."""
    yield from serve("elysee")


@pytest.fixture
def cesia_site() -> Iterator[FixtureSite]:
    """securite-ia.fr mirror (Wix: /publications/, /post/, /blog-feed.xml)."""
    yield from serve("cesia")


@pytest.fixture
def anssi_drift_site() -> Iterator[FixtureSite]:
    """cyber.gouv.fr redesigned: none of the site's classes, only generic metadata."""
    yield from serve("anssi", drift=True)


@pytest.fixture
def elysee_drift_site() -> Iterator[FixtureSite]:
    """elysee.fr redesigned: the date only in the URL."""
    yield from serve("elysee", drift=True)


@pytest.fixture
def cesia_drift_site() -> Iterator[FixtureSite]:
    """securite-ia.fr redesigned: OpenGraph and JSON-LD only."""
    yield from serve("cesia", drift=True)
