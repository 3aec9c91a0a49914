"""Crawls of the fixture mirrors, end to end: real HTTP servers, real child processes, both databases."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.runner import SourceResult, crawl
from storage.crawls import get_run
from storage.db import session_scope
from storage.models import CrawlRun, Publication, PublicationRevision, Snapshot, Source
from tests.support.fixtures import sites_root
from tests.support.sites import FixtureSite

pytestmark = pytest.mark.slow

ANSSI_SEED = "https://cyber.gouv.fr/actualites/sommet-pour-laction-sur-lintelligence-artificielle-retour-sur-les-travaux-de-lanssi"
ELYSEE_SEED = "https://www.elysee.fr/sommet-pour-l-action-sur-l-ia/ia-de-confiance"
CESIA_SEED = "https://www.securite-ia.fr/publications/le-sommet-de-linaction-pour-la-securite-de-lia"
NEW = "https://cyber.gouv.fr/actualites/agents-dia-lancement-de-la-premiere-campagne-devaluation-conjointe-de-linesia/"
UPDATED = "https://cyber.gouv.fr/actualites/feuille-de-route-2026-2027-de-linesia-lanssi-mobilisee/"


def publications(slug: str) -> dict[str, dict[str, Any]]:
    with session_scope() as session:
        rows = session.scalars(select(Publication).join(Source).where(Source.slug == slug))
        return {
            p.url: {
                "title": p.title,
                "body": p.body,
                "published_at": p.published_at,
                "modified_at": p.modified_at,
                "via": p.fetched_via,
                "by": p.extracted_by,
                "snapshot": p.snapshot_sha256,
            }
            for p in rows
        }


def count(model: Any) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def by_source(results: list[SourceResult]) -> dict[str, SourceResult]:
    return {r.source: r for r in results}


def article_hits(site: FixtureSite, statuses: set[int] | None = None) -> list[str]:
    """Requests for article pages (not listings, feeds, sitemaps, robots.txt)."""
    skip = ("/robots.txt", "/sitemap", "/actualites/?", "/actualites/rss", "/actualites/atom", "/feed")
    return [
        r.path
        for r in site.requests
        if r.path != "/actualites/"
        and not r.path.startswith(skip)
        and (statuses is None or r.status in statuses)
    ]


def test_anssi_crawl_incremental_then_revision(fast: str, anssi_site: FixtureSite) -> None:
    progress: list[dict[str, object]] = []
    first = crawl(["anssi"], base_url=anssi_site.base_url, progress=lambda s, e: progress.append(e))[0]
    stored = publications("anssi")
    assert first.status == "partial" and "page-en-erreur" in (first.error_summary or "")  # the mirror's 500
    assert first.new == len(stored) >= 17
    assert any(e.get("event") == "progress" for e in progress)
    seed = stored[ANSSI_SEED]
    assert (
        seed["title"]
        == "Sommet pour l’action sur l’intelligence artificielle : retour sur les travaux de l’ANSSI"
    )
    assert seed["published_at"] == datetime(2025, 2, 17, 14, 34, tzinfo=UTC)  # lun 17/02/2025 - 15:34, Paris
    assert "l’ANSSI a piloté" in seed["body"] and "Participer aux instances de normalisation" in seed["body"]
    assert "Accueil" not in seed["body"] and seed["by"] == "selectors" and seed["snapshot"]
    old = stored["https://cyber.gouv.fr/linternational"]
    assert (old["published_at"], old["modified_at"]) == (
        datetime(2022, 7, 27, 22, tzinfo=UTC),
        datetime(2025, 5, 27, 22, tzinfo=UTC),
    )
    assert stored["https://cyber.gouv.fr/actualites/article-sans-date/"]["published_at"] is None
    assert (
        "https://cyber.gouv.fr/actualites/cyber-r%C3%A9silience-la-directive-nis-2-transpos%C3%A9e-en-droit-fran%C3%A7ais/"
        in stored
    )
    assert (
        stored["https://cyber.gouv.fr/actualites/page-en-erreur/"]["via"] == "feed"
    )  # 500: the feed entry stands in
    assert all("cyber.gouv.fr" in url and url.startswith("https://cyber.gouv.fr/") for url in stored)
    rows, snapshots = count(Publication), count(Snapshot)

    anssi_site.reset_log()
    second = crawl(["anssi"], base_url=anssi_site.base_url)[0]
    assert second.new == 0 and second.updated == 0
    assert article_hits(anssi_site) == []  # no article request at all
    assert count(Publication) == rows and count(Snapshot) == snapshots

    anssi_site.use_variant("new-article")
    anssi_site.reset_log()
    fourth = crawl(["anssi"], base_url=anssi_site.base_url)[0]
    assert (fourth.new, fourth.updated) == (1, 0)
    assert article_hits(anssi_site, {200}) == [NEW.removeprefix("https://cyber.gouv.fr")]
    assert publications("anssi")[NEW]["title"] and count(Publication) == rows + 1
    rows += 1

    anssi_site.use_variant("updated")
    anssi_site.reset_log()
    third = crawl(["anssi"], base_url=anssi_site.base_url)[0]
    assert (third.new, third.updated) == (0, 1)
    assert article_hits(anssi_site, {200}) == [UPDATED.removeprefix("https://cyber.gouv.fr")]
    assert count(Publication) == rows and count(PublicationRevision) == 1
    changed = publications("anssi")[UPDATED]
    assert "La première de ces campagnes a débuté le 16 mars 2026" in changed["body"]
    assert changed["modified_at"] == datetime(2026, 3, 17, 23, tzinfo=UTC)


def test_elysee_and_cesia_seeds_and_malformed_feed(
    fast: str, elysee_site: FixtureSite, cesia_site: FixtureSite
) -> None:
    results = by_source(
        crawl(["elysee", "cesia"], base_urls={"elysee": elysee_site.base_url, "cesia": cesia_site.base_url})
    )
    assert results["elysee"].status == "ok" and results["cesia"].status == "ok"
    elysee, cesia = publications("elysee"), publications("cesia")
    assert len(elysee) == results["elysee"].new >= 15 and len(cesia) == results["cesia"].new == 6
    seed = elysee[ELYSEE_SEED]
    assert seed["modified_at"] == datetime(2025, 1, 16, 23, tzinfo=UTC)  # Mis à jour le : 17 janvier 2025
    assert seed["body"].startswith("« Face aux inquiétudes") and "Mis à jour" not in seed["body"]
    assert not any("/francois-hollande/" in u or "/nicolas-sarkozy/" in u for u in elysee)
    speech = elysee[
        "https://www.elysee.fr/emmanuel-macron/2026/02/19/discours-du-president-de-la-republique-au-sommet-sur-limpact-de-lia-a-new-delhi"
    ]
    assert speech["published_at"] == datetime(2026, 2, 19, 10, 30, tzinfo=UTC)
    for boilerplate in (
        "Seul le prononcé fait foi",
        "Télécharger le .pdf",
        "Emmanuel MACRON",
        "Fait partie du dossier",
    ):
        assert boilerplate not in speech["body"]
    release = cesia[CESIA_SEED]
    assert release["published_at"] == datetime(2025, 2, 11, 23, tzinfo=UTC)  # 12/2/2025: 12 February, Paris
    assert release["title"] == "Le sommet de l’inaction pour la sécurité de l'IA"
    assert "sursaut politique mondial" in release["body"] and "newsletter" not in release["body"]
    masterclass = cesia["https://www.securite-ia.fr/post/masterclass-ia-medias"]
    assert masterclass["published_at"] == datetime(2025, 10, 2, 22, tzinfo=UTC)  # 3/10/2025 is 3 October

    cesia_site.use_variant("malformed-feed")
    again = crawl(["cesia"], base_url=cesia_site.base_url)[0]
    assert again.status == "ok" and again.new == 0
    stats = get_run(again.run_id)["stats"]
    assert stats["feed_problems"] and "malformed" in stats["feed_problems"][0]


def test_broken_sources_fail_cleanly_others_complete(
    fast: str, anssi_site: FixtureSite, elysee_site: FixtureSite, cesia_site: FixtureSite
) -> None:
    bases = {"anssi": anssi_site.base_url, "elysee": elysee_site.base_url, "cesia": cesia_site.base_url}
    crawl(["cesia"], base_url=bases)
    before = publications("cesia")
    assert before

    anssi_site.fail_all(500)
    cesia_site.fail_all(200, delay=60)  # hangs
    results = by_source(crawl(["anssi", "cesia", "elysee"], base_url=bases, timeout=12))
    assert results["anssi"].status == "failed" and "HTTP 500" in (results["anssi"].error_summary or "")
    assert results["cesia"].status == "failed" and "timed out" in (results["cesia"].message or "")
    assert results["elysee"].status == "ok" and results["elysee"].new >= 15, results["elysee"]
    assert publications("cesia") == before  # nothing stored is lost
    with session_scope() as session:
        runs = {
            slug: (status, summary)
            for slug, status, summary in session.execute(
                select(Source.slug, CrawlRun.status, CrawlRun.error_summary)
                .join(Source)
                .order_by(CrawlRun.id)
            )
        }
    assert runs["anssi"][0] == "failed" and "HTTP 500" in runs["anssi"][1]
    assert runs["cesia"][0] == "failed" and "timed out after 12 s" in runs["cesia"][1]


def test_markup_drift_falls_back_and_counts(
    fast: str, anssi_drift_site: FixtureSite, elysee_drift_site: FixtureSite, cesia_drift_site: FixtureSite
) -> None:
    bases = {
        "anssi": anssi_drift_site.base_url,
        "elysee": elysee_drift_site.base_url,
        "cesia": cesia_drift_site.base_url,
    }
    results = by_source(crawl(["anssi", "elysee", "cesia"], base_url=bases))
    for slug, expected in (("anssi", 3), ("elysee", 3), ("cesia", 3)):
        stored = publications(slug)
        assert len(stored) == expected, (slug, sorted(stored))
        assert results[slug].status != "failed"
        assert results[slug].fallback_extractions == expected
        for url, page in stored.items():
            assert page["title"] and page["published_at"] is not None and len(page["body"]) > 200, url
            assert page["by"] == "fallback"
    speech = publications("elysee")[
        "https://www.elysee.fr/emmanuel-macron/2026/02/19/discours-du-president-de-la-republique-au-sommet-sur-limpact-de-lia-a-new-delhi"
    ]
    assert speech["published_at"] == datetime(2026, 2, 18, 23, tzinfo=UTC)  # from the URL
    roadmap = publications("anssi")[UPDATED]
    assert roadmap["published_at"] == datetime(2026, 2, 12, 9, tzinfo=UTC)  # article:published_time


def test_cli_crawl_and_sources_list(fast: str, cli: Callable[..., Any], cesia_site: FixtureSite) -> None:
    done = cli("crawl", "cesia", "--base-url", cesia_site.base_url)
    assert done.code == 0, done.output
    assert "cesia: ok" in done.stdout and "6 new" in done.stdout
    listed = cli("sources", "list", "--format", "json")
    assert listed.code == 0, listed.output
    rows = {r["slug"]: r for r in json.loads(listed.stdout)}
    assert rows["cesia"]["health"] == "ok" and rows["cesia"]["publications"] == 6
    assert rows["anssi"]["health"] == "never crawled"
    assert cli("crawl", "nosuchsource").code == 2
    cesia_site.fail_all(500)
    failed = cli("crawl", "cesia", "--base-url", cesia_site.base_url)
    assert failed.code == 1 and "cesia: failed" in failed.stdout


def test_anti_bot_pages_are_recorded_never_stored(fast: str, tmp_path: Any) -> None:
    """A 403 and a 200 JavaScript challenge: counted in the run, not stored as publications."""
    root = tmp_path / "cesia"
    shutil.copytree(sites_root() / "cesia", root)
    index = root / "index.html"
    links = '<a href="/post/acces-refuse">Bloqué</a> <a href="/post/defi-javascript">Défi</a></body>'
    index.write_text(index.read_text(encoding="utf-8").replace("</body>", links), encoding="utf-8")
    (root / "post" / "defi-javascript.html").write_text(
        "<html><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies"
        " to continue</noscript><script src='/cdn-cgi/challenge-platform/x.js'></script></body></html>",
        encoding="utf-8",
    )
    routes = json.loads((root / "_routes.json").read_text(encoding="utf-8"))
    routes["/post/acces-refuse"] = {"status": 403}
    (root / "_routes.json").write_text(json.dumps(routes), encoding="utf-8")
    with FixtureSite(root) as site:
        result = crawl(["cesia"], base_url=site.base_url)[0]
    stored = publications("cesia")
    assert len(stored) == result.new == 6
    assert not any("acces-refuse" in u or "defi-javascript" in u for u in stored)
    stats = get_run(result.run_id)["stats"]
    assert result.status == "partial" and stats["anti_bot"] == 2
    assert any("anti-bot" in p for p in stats["problems"])
