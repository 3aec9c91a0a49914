"""The methodology page in headless Chromium at 375 and 1280 px, in both languages: nothing off-site,
no horizontal scroll, the statuses with their words, the figures beside their targets; screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.webserver import WebServer
from tests.test_web_analyst_browser import WIDTHS, browser, check_layout, seed_year  # noqa: F401
from tracker.accuracy import read_accuracy

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path("/tmp/shots-meth")
WORDS = {
    "fr": ("Méthodologie", "Partiellement tenu", "Objectifs atteints", "non"),
    "en": ("Methodology", "Partially achieved", "Targets met", "no"),
}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_methodology_page(web_server: WebServer, browser: Browser, artifacts: Path) -> None:  # noqa: F811
    seed_year(web_server.db_url)
    accuracy = read_accuracy()
    assert accuracy is not None
    SHOTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        for lang, locale in (("fr", "fr-FR"), ("en", "en-GB")):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            page.goto(f"{web_server.url}/?lang={lang}")
            page.locator(".methodology-link a").click()  # from the dashboard
            page.wait_for_url("**/methodology*")
            check_layout(page, requests, web_server.url)
            title, status, met, no = WORDS[lang]
            assert page.locator("h1").inner_text() == title
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("#statuses dt", has_text=status).is_visible()
            assert page.locator("#statuses dl.meanings > div").count() == 6
            assert page.locator("#signals dl.meanings > div").count() == 4
            assert met in page.locator(".targets-met").inner_text()
            rows = page.locator("table.accuracy tbody tr")
            assert rows.count() == len(accuracy.figures)
            f1 = page.locator('tr[data-figure="link_f1"]')
            f1.scroll_into_view_if_needed()
            assert f1.is_visible() and f1.locator("td.verdict").inner_text() == no  # not met, and said so
            table = page.locator("table.accuracy").bounding_box()
            assert table is not None and table["width"] <= width  # the figures fit the screen
            page.locator("#accuracy").screenshot(path=str(SHOTS / f"accuracy-{lang}-{width}.png"))
            page.locator("#statuses").screenshot(path=str(SHOTS / f"statuses-{lang}-{width}.png"))
            for folder in (artifacts, SHOTS):
                page.screenshot(path=str(folder / f"methodology-{lang}-{width}.png"), full_page=True)
            context.close()
