"""The three sites as they are now (tests/sites/real), crawled through the CLI as a user would.

Markup our first fixtures did not have: DSFR cards and `article:published_time` on
cyber.gouv.fr (with its Atom feed gone), JSON-LD and `<time datetime>` on elysee.fr
(with the text out of the configured selector), CeSIA's blog moved to /blog/ with its
feed at /feed, announced only by `<link rel="alternate">`. Then the same sites broken:
maintenance pages, garbage, entry points serving garbage, a gzip bomb, a redirect loop.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import CrawlRun, Evidence, PageRefusal, Publication, Source
from tests.support.fixtures import sites_root
from tests.support.sites import FixtureSite

pytestmark = pytest.mark.slow

AGENTS = "https://cyber.gouv.fr/actualites/agents-dia-lanssi-publie-ses-recommandations-de-securite/"
SPEECH = "https://www.elysee.fr/emmanuel-macron/2026/02/19/discours-du-president-de-la-republique-au-sommet-sur-limpact-de-lia-a-new-delhi"
CESIA_POST = "https://www.securite-ia.fr/blog/inesia-un-an-apres-des-moyens-toujours-insuffisants"
CESIA_RELEASE = (
    "https://www.securite-ia.fr/publications/sommet-de-new-delhi-la-securite-de-lia-toujours-absente"
)


@pytest.fixture
def real_sites() -> Iterator[dict[str, FixtureSite]]:
    sites = {slug: FixtureSite(sites_root() / "real" / slug).start() for slug in ("anssi", "elysee", "cesia")}
    try:
        yield sites
    finally:
        for site in sites.values():
            site.stop()


def bases(sites: dict[str, FixtureSite]) -> list[str]:
    return [f"--base-url={slug}={site.base_url}" for slug, site in sites.items()]


def stored(slug: str) -> dict[str, dict[str, Any]]:
    with session_scope() as session:
        rows = session.scalars(select(Publication).join(Source).where(Source.slug == slug))
        return {
            p.url: {
                "title": p.title,
                "body": p.body,
                "published_at": p.published_at,
                "precision": p.date_precision,
                "by": p.extracted_by,
                "hash": p.content_hash,
            }
            for p in rows
        }


def last_run(slug: str) -> CrawlRun:
    with session_scope() as session:
        run = session.scalars(
            select(CrawlRun).join(Source).where(Source.slug == slug).order_by(CrawlRun.id.desc())
        ).first()
        assert run is not None
        session.expunge(run)
        return run


def sources_json(cli: Callable[..., Any]) -> dict[str, dict[str, Any]]:
    listed = cli("sources", "list", "--format", "json")
    assert listed.code == 0, listed.output
    return {row["slug"]: row for row in json.loads(listed.stdout)}


def test_redesigned_sites_every_article_stored_with_title_date_and_body(
    fast: str, cli: Callable[..., Any], real_sites: dict[str, FixtureSite]
) -> None:
    done = cli("crawl", "anssi", "elysee", "cesia", *bases(real_sites))
    assert done.code == 0, done.output
    out = " ".join(done.stdout.split())
    assert "anssi: ok, health degraded" in out
    assert "configured feed https://cyber.gouv.fr/actualites/atom/ failed: HTTP 404" in out
    assert "elysee: ok, health degraded" in out and "selectors found no text on 4 of 4 pages" in out
    assert "configured feed https://www.securite-ia.fr/blog-feed.xml failed: HTTP 404" in out
    assert (
        "feed https://www.securite-ia.fr/feed, announced by https://www.securite-ia.fr/, was read instead"
        in out
    )
    assert "3 article(s) found outside the configured patterns" in out

    expected = {"anssi": 5, "elysee": 4, "cesia": 4}
    for slug, count in expected.items():
        pages = stored(slug)
        assert len(pages) == count, (slug, sorted(pages))
        for url, page in pages.items():
            assert page["title"] and page["published_at"] is not None and len(page["body"]) > 300, url
    anssi, elysee, cesia = stored("anssi"), stored("elysee"), stored("cesia")
    # "Publié le 03/03/2026" on the page, article:published_time 09:15 in the metadata: the time wins.
    assert (anssi[AGENTS]["published_at"], anssi[AGENTS]["precision"]) == (
        datetime(2026, 3, 3, 8, 15, tzinfo=UTC),
        "time",
    )
    assert (
        "trente recommandations" in anssi[AGENTS]["body"] and "Sur le même sujet" not in anssi[AGENTS]["body"]
    )
    speech = elysee[SPEECH]
    assert (speech["published_at"], speech["precision"]) == (
        datetime(2026, 2, 19, 10, 30, tzinfo=UTC),
        "time",
    )
    assert "Current AI" in speech["body"] and "Seul le prononcé" not in speech["body"]
    assert not any("/francois-hollande/" in u or "/nicolas-sarkozy/" in u for u in elysee)
    assert cesia[CESIA_POST]["published_at"] == datetime(2026, 2, 12, 10, 30, tzinfo=UTC)
    assert "loi de programmation" in cesia[CESIA_POST]["body"]
    release = cesia[CESIA_RELEASE]  # "20/2/2026" and nothing more precise: a day, 20 February in Paris
    assert (release["published_at"], release["precision"]) == (datetime(2026, 2, 19, 23, tzinfo=UTC), "day")
    assert last_run("cesia").outside_patterns == 3

    health = sources_json(cli)
    assert {slug: health[slug]["health"] for slug in expected} == dict.fromkeys(expected, "degraded")
    assert any("atom/ failed: HTTP 404" in r for r in health["anssi"]["health_reasons"])
    shown = cli("sources", "show", "cesia")
    assert shown.code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert (
        "health: degraded" in text
        and "https://www.securite-ia.fr/blog/masterclass-ia-et-medias-deuxieme-edition" in text
    )
    api_like = json.loads(cli("sources", "show", "cesia", "--format", "json").stdout)
    states = {(p["url"], p["state"]) for p in api_like["entry_points"]}
    assert ("https://www.securite-ia.fr/blog-feed.xml", "failed") in states
    assert ("https://www.securite-ia.fr/feed", "ok") in states

    again = cli("crawl", "anssi", "elysee", "cesia", *bases(real_sites))  # incremental: nothing new, no harm
    assert again.code == 0, again.output
    assert all(len(stored(slug)) == count for slug, count in expected.items())


def test_maintenance_then_garbage_never_replace_a_stored_article(
    fast: str, cli: Callable[..., Any], real_sites: dict[str, FixtureSite]
) -> None:
    site = real_sites["anssi"]
    assert cli("crawl", "anssi", "--base-url", site.base_url).code == 0
    matched = cli("match")
    assert matched.code == 0, matched.output
    good = stored("anssi")
    with session_scope() as session:
        evidence = session.scalar(select(func.count(Evidence.id))) or 0
    assert evidence > 0

    for variant, why in (("maintenance", "maintenance page"), ("garbage", "garbage: unreadable bytes")):
        site.use_variant(variant)
        done = cli("crawl", "anssi", "--full", "--base-url", site.base_url)
        assert done.code == 0, done.output
        out = " ".join(done.stdout.split())
        assert "0 updated" in out and "5 refused" in out
        assert "5 refetched page(s) refused, the stored version kept: " in out and f"({why}" in out
        assert stored("anssi") == good  # every text, title and date as it was
        assert cli("match").code == 0
        with session_scope() as session:
            assert (session.scalar(select(func.count(Evidence.id))) or 0) == evidence
        row = sources_json(cli)["anssi"]
        assert row["health"] == "degraded" and any(AGENTS in r and why in r for r in row["health_reasons"])

    shown = cli("publications", "show", AGENTS)
    assert shown.code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "trente recommandations" in text and "precision: time" in text
    assert "maintenance page" in text and "garbage: unreadable bytes" in text
    with session_scope() as session:
        kept = session.scalars(select(PageRefusal.snapshot_sha256).where(PageRefusal.url == AGENTS)).all()
    assert len(kept) == 2 and all(kept)  # what was served is kept for inspection


def test_entry_points_serving_garbage_fail_and_are_named(
    fast: str, cli: Callable[..., Any], real_sites: dict[str, FixtureSite]
) -> None:
    site = real_sites["anssi"]
    assert cli("crawl", "anssi", "--base-url", site.base_url).code == 0
    before = stored("anssi")
    site.use_variant("broken-entries")
    done = cli("crawl", "anssi", "--full", "--base-url", site.base_url)
    assert done.code == 1, done.output
    out = " ".join(done.stdout.split())
    assert "anssi: failed, health failing" in out
    for reason in (
        "configured listing https://cyber.gouv.fr/actualites/ failed: garbage",
        "configured feed https://cyber.gouv.fr/actualites/rss/ failed: not a feed",
        "configured feed https://cyber.gouv.fr/actualites/atom/ failed: HTTP 404",
        "configured sitemap https://cyber.gouv.fr/sitemap.xml failed: not a sitemap",
    ):
        assert reason in out
    assert sources_json(cli)["anssi"]["health"] == "failing"
    assert stored("anssi") == before


def test_gzip_bomb_and_redirect_loop_are_errors_in_bounded_time(
    fast: str, cli: Callable[..., Any], real_sites: dict[str, FixtureSite]
) -> None:
    site = real_sites["anssi"]
    site.use_variant("hostile")
    started = time.monotonic()
    done = cli("crawl", "anssi", "--base-url", site.base_url)
    assert time.monotonic() - started < 90
    out = " ".join(done.stdout.split())
    assert "https://cyber.gouv.fr/actualites/bombe/: refused: too large once decompressed" in out
    assert "https://cyber.gouv.fr/actualites/boucle/: redirect loop" in out
    run = last_run("anssi")
    assert run.stats["robots_blocked"] == 0 and run.errors == 2 and run.status == "partial"
    assert len(stored("anssi")) == 5  # the good pages are there, nothing from the bomb or the loop


def test_publications_show_and_export_import_round_trip(
    fast: str,
    cli: Callable[..., Any],
    real_sites: dict[str, FixtureSite],
    backend: str,
    tmp_path: Any,
    _templates: dict[str, str],
) -> None:
    from tests.conftest import fresh_database

    assert cli("crawl", "cesia", "elysee", *bases({k: real_sites[k] for k in ("cesia", "elysee")})).code == 0
    shown = cli("publications", "show", CESIA_RELEASE)
    assert shown.code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "published: 2026-02-20 (precision: day)" in text
    assert "fetched via: spider extracted by: selectors" in text and "snapshot: " in text
    assert "Le CeSIA appelle la France" in text
    missing = cli("publications", "show", "https://www.securite-ia.fr/nulle-part")
    assert missing.code == 2 and missing.stderr.startswith("error: no publication stored at")

    exported = tmp_path / "pubs.jsonl"
    done = cli("publications", "export", str(exported))
    assert done.code == 0 and "exported 8 publications" in done.stdout, done.output
    to_stdout = cli("publications", "export", "-", "--source", "cesia")
    assert to_stdout.code == 0 and len(to_stdout.stdout.splitlines()) == 4
    assert json.loads(to_stdout.stdout.splitlines()[0]).keys() >= {
        "url",
        "source",
        "title",
        "published_at",
        "body",
    }
    assert cli("publications", "export", str(tmp_path / "no" / "such" / "dir.jsonl")).code == 2

    url, drop = fresh_database(backend, tmp_path, _templates.get(backend))
    try:
        fresh = {"SUMMITWATCH_DATABASE_URL": url}
        imported = cli("publications", "import", str(exported), extra_env=fresh)
        assert imported.code == 0 and "8 new" in imported.stdout, imported.output
        for fmt in ("table", "json"):
            original = cli("publications", "list", "--limit", "1000", "--format", fmt)
            copied = cli("publications", "list", "--limit", "1000", "--format", fmt, extra_env=fresh)
            if fmt == "json":
                rows = [json.loads(x.stdout) for x in (original, copied)]
                for listing in rows:
                    for row in listing:
                        row.pop("first_seen_at")
                assert rows[0] == rows[1]
            else:
                assert original.stdout == copied.stdout
    finally:
        from storage.db import dispose_engines

        dispose_engines()
        drop()


def test_sources_list_fits_80_columns_and_show_names_unknown_slugs(
    fast: str, cli: Callable[..., Any], real_sites: dict[str, FixtureSite]
) -> None:
    assert cli("crawl", "cesia", "--base-url", real_sites["cesia"].base_url).code == 0
    listed = cli("sources", "list", extra_env={"COLUMNS": "80"})
    assert listed.code == 0, listed.output
    assert all(len(line) <= 80 for line in listed.stdout.splitlines()), listed.stdout
    assert "cesia" in listed.stdout and "degraded" in listed.stdout
    assert "summitwatch sources show SLUG" in listed.stdout
    unknown = cli("sources", "show", "nowhere")
    assert unknown.code == 2 and "no source with slug 'nowhere'" in unknown.stderr


def test_the_same_health_words_in_cli_status_digest_web_and_api(
    fast: str, cli: Callable[..., Any], real_sites: dict[str, FixtureSite], web_server: Any, tmp_path: Any
) -> None:
    import httpx

    assert cli("crawl", "cesia", "--base-url", real_sites["cesia"].base_url).code == 0
    reason = "configured feed https://www.securite-ia.fr/blog-feed.xml failed: HTTP 404"
    assert sources_json(cli)["cesia"]["health"] == "degraded"
    status = json.loads(cli("status", "--format", "json").stdout)
    assert next(s for s in status["sources"] if s["slug"] == "cesia")["health"] == "degraded"
    screen = cli("status", extra_env={"COLUMNS": "200"})
    assert "cesia degraded: configured feed https://www.securite-ia.fr/blog-feed.xml" in screen.stdout

    today = datetime.now(UTC).date()
    out = tmp_path / "digest.html"
    period = f"{today.isoformat()}..{today.replace(year=today.year + 1).isoformat()}"
    preview = cli("digest", "preview", "--period", period, "--out", str(out), "--lang", "en", "--text")
    assert preview.code == 0, preview.output
    digest_text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert "degraded, crawled, but not entirely" in digest_text and reason in digest_text
    assert reason in out.read_text(encoding="utf-8")

    api = httpx.get(f"{web_server.url}/api/v1/sources", timeout=10).json()
    cesia = next(s for s in api if s["slug"] == "cesia")
    assert cesia["health"] == "degraded" and reason in cesia["health_reasons"]
    for lang in ("fr", "en"):
        page = httpx.get(f"{web_server.url}/sources?lang={lang}", timeout=10).text
        assert ">degraded</span>" in page and reason in page
