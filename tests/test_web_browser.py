"""Headless Chromium through the pages: subscribe → mail → confirm → manage → one-click unsubscribe.

Runs on SQLite and PostgreSQL (the `backend` fixture), like every test with a database.
Screenshots of the dashboard and a commitment page go to the test's artefacts folder.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Subscriber
from tests.support.webserver import Mailbox, WebServer, seed_tracker

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]
CONFIRM = re.compile(r"https?://[^\s\"'<>]+/confirm\?token=[^\s\"'<>]+")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")  # a phone
    page = context.new_page()
    yield page
    context.close()


def test_subscribe_confirm_manage_unsubscribe(
    web_server_factory: Callable[..., WebServer], web_smtp: Mailbox, page: Page
) -> None:
    site = web_server_factory(smtp_host=web_smtp.host, smtp_port=str(web_smtp.port))
    page.goto(site.url + "/subscribe")
    page.fill("input[name=email]", "browser@example.org")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Vérifiez votre boîte de réception", page.inner_text("body")

    message = web_smtp.wait(1)[0]
    assert message["To"] and "browser@example.org" in message["To"]
    link = CONFIRM.search(Mailbox.text_of(message))
    assert link, Mailbox.text_of(message)
    page.goto(link.group(0))
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Abonnement confirmé"

    page.click("a.button")  # the manage link
    assert page.locator("h1").inner_text() == "Vos préférences"
    page.check("input[name=language][value=en]")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Your preferences"
    assert "Preferences saved." in page.content()
    with session_scope(site.db_url) as session:
        subscriber = session.scalars(select(Subscriber)).one()
        assert (subscriber.state, subscriber.language) == ("active", "en")

    unsubscribe_href = page.locator("a[href*='/unsubscribe?token=']").get_attribute("href")
    assert unsubscribe_href
    token = parse_qs(urlsplit(unsubscribe_href).query)["token"][0]
    response = page.request.post(
        f"{site.url}/unsubscribe/one-click?token={token}",
        form={"List-Unsubscribe": "One-Click"},
        headers={"Origin": "https://mail.example"},  # providers post from anywhere: no CSRF here
    )
    assert response.status == 200
    with session_scope(site.db_url) as session:
        assert session.scalars(select(Subscriber)).one().state == "unsubscribed"


def test_screenshots_of_dashboard_and_commitment(web_server: WebServer, page: Page, artifacts: Path) -> None:
    seed_tracker(web_server.db_url)
    page.goto(web_server.url + "/?lang=fr")
    assert page.locator(".card").count() > 20
    page.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(web_server.url + "/?lang=en")
    page.screenshot(path=str(artifacts / "dashboard-desktop-en.png"), full_page=True)
    page.goto(web_server.url + "/commitments/inesia")
    assert "INESIA" in page.locator("h1").inner_text()
    assert page.locator(".timeline .event").count() == 13
    page.screenshot(path=str(artifacts / "commitment-inesia.png"), full_page=True)
    assert (artifacts / "commitment-inesia.png").stat().st_size > 10_000
