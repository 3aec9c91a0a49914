"""The analyst's pages in headless Chromium at 375 and 1280 px, in both languages: nothing off-site,
no horizontal scroll, the charts visible with their text alternative; screenshots for review."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Commitment, Evidence
from storage.publications import PublicationInput, upsert_publication
from storage.status import set_status
from tests.support.webserver import WebServer, seed_tracker
from tests.test_web_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/shots-15")
WIDTHS = (375, 1280)
SIGNALS = ("mention", "progress", "mention", "setback", "achieved", "mention")


def seed_year(db_url: str) -> None:
    """A year of evidence on several commitments, and status changes spread over it."""
    seed_tracker(db_url)
    start = datetime(2025, 2, 11, 10, tzinfo=UTC)
    with session_scope(db_url) as session:
        commitments = list(session.scalars(select(Commitment).order_by(Commitment.id)))[:8]
        for i in range(40):
            _, publication = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://example.test/year/{i}",
                    source=("anssi", "elysee", "cesia")[i % 3],
                    title=f"Publication {i} sur le suivi du sommet",
                    body="Le suivi des engagements du sommet pour l'action sur l'IA avance.",
                    published_at=start + timedelta(days=9 * i),
                    language="fr",
                ),
            )
            session.flush()
            session.add(
                Evidence(
                    commitment_id=commitments[i % 8].id,
                    publication_id=publication.id,
                    score=0.7,
                    signal=SIGNALS[i % len(SIGNALS)],
                    excerpt=f"Extrait {i}.",
                    matched_terms=["sommet"],
                )
            )
        for c, status, day in (
            (commitments[2], "achieved", 40),
            (commitments[3], "stalled", 120),
            (commitments[4], "broken", 200),
            (commitments[5], "partially_achieved", 260),
        ):
            change = set_status(session, c, status, changed_by="reviewer")
            assert change is not None
            change.changed_at = start + timedelta(days=day)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def visit(browser: Browser, url: str, width: int, locale: str) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    SHOTS.mkdir(exist_ok=True)
    name = url.split("/", 3)[3].replace("/", "_").replace("?", "_") or "home"
    page.screenshot(path=str(SHOTS / f"top-{name}-{width}.png"))  # what opens first, at reading size
    return page, requests


def check_layout(page: Page, requests: list[str], site: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px"
    assert all(r.startswith(site) for r in requests), requests


def shoot(page: Page, artifacts: Path, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for folder in (artifacts, SHOTS):
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_dashboard_overview_and_charts(web_server: WebServer, browser: Browser, artifacts: Path) -> None:
    seed_year(web_server.db_url)
    for width in WIDTHS:
        for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
            page, requests = visit(browser, f"{web_server.url}/?lang={lang}", width, locale)
            check_layout(page, requests, web_server.url)
            bar = page.locator(".status-bar svg")
            assert bar.is_visible() and bar.bounding_box()["width"] > width * 0.6  # type: ignore[index]
            legend = page.locator(".status-bar .legend").inner_text()
            assert ("Achieved 1" if lang == "en" else "Tenu 1") in " ".join(legend.split())
            chart = page.locator("svg.timeline-chart:visible")
            assert chart.count() == 1  # the phone's or the desktop's drawing, not both
            assert chart.get_attribute("viewBox") == ("0 0 360 220" if width < 640 else "0 0 640 220")
            label = chart.locator("text").last.bounding_box()
            assert label is not None and label["height"] >= 10  # month labels readable
            assert chart.locator("rect[data-signal]").count() >= 11  # one column a month or more
            page.locator("section.overview").screenshot(path=str(SHOTS / f"overview-{lang}-{width}.png"))
            assert page.locator(".chart-table summary").is_visible()
            page.locator(".chart-table summary").click()
            assert page.locator(".chart-table tbody tr").count() >= 12
            shoot(page, artifacts, f"dashboard-{lang}-{width}")
            page.context.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_commitment_page_timeline(web_server: WebServer, browser: Browser, artifacts: Path) -> None:
    seed_year(web_server.db_url)
    for width in WIDTHS:
        for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
            page, requests = visit(browser, f"{web_server.url}/commitments/inesia?lang={lang}", width, locale)
            check_layout(page, requests, web_server.url)
            assert page.locator("svg.timeline-chart:visible").count() == 1
            shoot(page, artifacts, f"commitment-{lang}-{width}")
            page.context.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_publication_page_with_revisions(web_server: WebServer, browser: Browser, artifacts: Path) -> None:
    from tests.test_publication_page import URL, seed_versions

    seed_versions(web_server.db_url)
    for width in WIDTHS:
        for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
            page, requests = visit(
                browser, f"{web_server.url}/publication?url={URL}&lang={lang}", width, locale
            )
            check_layout(page, requests, web_server.url)
            deleted, inserted = page.locator(".diff-body del").first, page.locator(".diff-body ins").first
            assert deleted.inner_text() == "INESIA" and inserted.inner_text() == "institut"
            colours = page.evaluate(
                "[getComputedStyle(document.querySelector('.diff-body del')).textDecorationLine,"
                " getComputedStyle(document.querySelector('.diff-body ins')).textDecorationLine]"
            )
            assert colours == ["line-through", "underline"]  # marked by more than colour
            assert page.locator(".warning").is_visible()
            page.select_option("select[name=from]", "1")
            page.select_option("select[name=to]", "2")
            page.click(".revisions button[type=submit]")
            assert page.locator(".diff-body del").inner_text() == "10"
            shoot(page, artifacts, f"publication-{lang}-{width}")
            page.context.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_api_docs_work_offline(web_server: WebServer, browser: Browser, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    refused: list[str] = []

    def offline(route: Any) -> None:  # anything not from the app itself fails, as with no network
        if route.request.url.startswith(web_server.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    page.goto(web_server.url + "/api/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/v1/stats", exact=True).first.is_visible()
    assert page.locator("h2.title").first.inner_text().startswith("summitwatch API")
    assert refused == []
    page.screenshot(path=str(artifacts / "api-docs.png"))
    context.close()


def test_search_shows_why_each_result_matched(
    web_server: WebServer, browser: Browser, artifacts: Path
) -> None:
    """On both backends: the count, the matched word marked in the passage, a sort by relevance,
    and a way from a result to its page here."""
    seed_year(web_server.db_url)
    for width in WIDTHS:
        for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
            page, requests = visit(
                browser, f"{web_server.url}/publications?q=suivi&lang={lang}", width, locale
            )
            check_layout(page, requests, web_server.url)
            count = page.locator("p.count").inner_text()
            assert count == ("40 résultats" if lang == "fr" else "40 results"), count
            marked = page.locator(".results .passage mark").first
            assert marked.is_visible() and marked.inner_text().lower() == "suivi"
            page.select_option("select[name=sort]", "relevance")
            page.locator("form button[type=submit]").first.click()
            assert "sort=relevance" in page.url
            assert page.locator(".results li").count() == 20  # one page of 40
            page.locator(".results li .meta a").first.click()
            assert "/publication?url=" in page.url and page.locator("h1").is_visible()
            shoot(page, artifacts, f"search-{lang}-{width}-{web_server.db_url.split(':')[0]}")
            page.context.close()
