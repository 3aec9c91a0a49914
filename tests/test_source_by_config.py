"""A fourth source added by configuration alone: a sources.toml table and a row in the baseline's sources.

No Python: the test writes the two files a user would edit, loads the baseline, and
crawls a local mirror of info.gouv.fr (a feed and a sitemap, no site selectors).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crawler.sources import SOURCES_FILE
from storage.baseline import SOURCES_FILE as BASELINE_SOURCES
from tests.support.fixtures import sites_root
from tests.support.sites import FixtureSite

pytestmark = pytest.mark.slow

TABLE = """
[infogouv]
canonical = "https://www.info.gouv.fr"
aliases = ["info.gouv.fr"]
language = "fr"
feeds = ["/rss/actualites.xml"]
sitemaps = ["/sitemap.xml"]
sitemap_filter = ["^/actualite/"]
articles = ["^/actualite/[^/]+$"]
"""

ROW = """  - slug: infogouv
    name: "Gouvernement (info.gouv.fr)"
    homepage: "https://www.info.gouv.fr/"
    language: fr
"""


def test_a_fourth_source_by_configuration_alone(
    fast: str, cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources_toml = tmp_path / "sources.toml"
    sources_toml.write_text(SOURCES_FILE.read_text(encoding="utf-8") + TABLE, encoding="utf-8")
    baseline = tmp_path / "sources.yaml"
    baseline.write_text(BASELINE_SOURCES.read_text(encoding="utf-8").rstrip() + "\n" + ROW, encoding="utf-8")
    env = {"SUMMITWATCH_CRAWLER__SOURCES_FILE": str(sources_toml)}

    not_in_db = cli("crawl", "infogouv", "--base-url", "http://127.0.0.1:9", extra_env=env)
    assert not_in_db.code == 1 and "add it to the baseline's sources" in not_in_db.stdout

    loaded = cli("baseline", "load", "--sources", str(baseline), extra_env=env)
    assert loaded.code == 0 and "1 new" in loaded.stdout, loaded.output
    with FixtureSite(sites_root() / "infogouv") as site:
        done = cli("crawl", "infogouv", "--base-url", site.base_url, extra_env=env)
    assert done.code == 0, done.output
    assert "infogouv: ok, health ok — 3 pages, 3 new" in " ".join(done.stdout.split())

    listed = cli("publications", "list", "--source", "infogouv", "--format", "json", extra_env=env)
    rows = {r["url"]: r for r in json.loads(listed.stdout)}
    assert len(rows) == 3
    strategy = rows[
        "https://www.info.gouv.fr/actualite/intelligence-artificielle-la-france-presente-sa-strategie-nationale-2026-2030"
    ]
    assert (
        strategy["title"] == "Intelligence artificielle : la France présente sa stratégie nationale 2026-2030"
    )
    # 14:00 UTC, shown in the configured zone (Paris, UTC+1 in March)
    assert strategy["published_at"] == "2026-03-02T15:00:00+01:00" and strategy["extracted_by"] == "fallback"
    shown = cli("publications", "show", strategy["url"], "--format", "json", extra_env=env)
    assert "100 000 personnes" in json.loads(shown.stdout)["body"]
    health = {
        r["slug"]: r for r in json.loads(cli("sources", "list", "--format", "json", extra_env=env).stdout)
    }
    assert health["infogouv"]["health"] == "ok" and health["infogouv"]["publications"] == 3

    sources_toml.write_text(sources_toml.read_text(encoding="utf-8") + "\n[broken]\ncanonical = 'x'\n")
    bad = cli("crawl", "infogouv", extra_env=env)
    assert bad.code == 2 and bad.stderr.startswith("error: ") and "[broken]: canonical must be" in bad.stderr
