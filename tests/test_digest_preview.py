"""A busy week's digest, previewed by the CLI and looked at in headless Chromium at 375 and 800 px."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_digest_send import PERIOD, seed_week

CHROMIUM = Path("/usr/bin/chromium")
GMAIL_CLIP = 102_000


@pytest.mark.browser
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_preview_of_fifty_items_fits_gmail_and_reads_well_on_phone_and_desktop(
    db: str, cli: Callable[..., Any], artifacts: Path
) -> None:
    seed_week(db, evidence_items=50, hostile=True)
    out = artifacts / "digest.html"
    result = cli("digest", "preview", "--period", PERIOD, "--lang", "fr", "--out", str(out), "--text")
    assert result.code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert len(html.encode("utf-8")) < GMAIL_CLIP
    for remote in ("<script", "<img", "<link", "<iframe", "@import", "url("):
        assert remote not in html, f"{remote!r} in the digest: nothing remote may load"
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert text.count("https://www.example.gouv.fr/actualites/") == 50
    assert html.count("https://www.example.gouv.fr/actualites/") >= 50

    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            requests: list[str] = []
            for width in (375, 800):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.on("request", lambda r: requests.append(r.url))
                page.goto(out.as_uri())
                heading = page.locator("h1")
                assert heading.inner_text() == "Le point de la semaine"
                assert heading.is_visible()
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"horizontal scroll of {overflow}px at {width}px"
                wrap_width = page.evaluate(
                    "document.querySelector('h1').parentElement.getBoundingClientRect().width"
                )
                assert wrap_width <= min(width, 640) + 1
                font = page.evaluate(
                    "parseFloat(getComputedStyle(document.querySelector('.excerpt, p')).fontSize)"
                )
                assert font >= 14
                assert page.get_by_text("lundi 10 février 2025").first.is_visible()
                assert page.locator("mark").count() >= 1
                assert page.get_by_text('<script>alert("x")</script>', exact=False).count() == 1
                page.screenshot(path=str(artifacts / f"digest-{width}.png"), full_page=True)
                page.close()
            assert all(url.startswith("file://") for url in requests), requests
        finally:
            browser.close()
