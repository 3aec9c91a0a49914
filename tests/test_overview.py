"""The overview (counts by status, kept rate, overdue, per theme): dashboard, API, CLI and digest agree."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Commitment
from storage.status import set_status
from tests.support.webserver import WebServer, seed_tracker

# achieved 2, partially 1, broken 1 -> kept 2/4; uae-france-ai-campus (deadline 2025-05-31) stays
# in_progress, so it is overdue on 2026-01-01 (as is the unrated ai-environment-standards-roadmap);
# ai-act-national-authorities (2025-08-02) is broken: resolved, not overdue.
STATUSES = {
    "current-ai": "achieved",
    "roost": "achieved",
    "coalition-sustainable-ai": "partially_achieved",
    "ai-act-national-authorities": "broken",
    "uae-france-ai-campus": "in_progress",
}


def settle(db_url: str, at: datetime | None = None) -> None:
    """Set STATUSES (recorded now, or at `at`)."""
    with session_scope(db_url) as session:
        by_slug = {c.slug: c for c in session.scalars(select(Commitment))}
        for slug, status in STATUSES.items():
            change = set_status(session, by_slug[slug], status, changed_by="reviewer")
            if at is not None and change is not None:
                change.changed_at = at


@pytest.fixture
def settled(web_server: WebServer) -> WebServer:
    seed_tracker(web_server.db_url)
    settle(web_server.db_url)
    return web_server


def test_stats_api_agrees_with_commitments_list_and_cli(settled: WebServer, cli: Callable[..., Any]) -> None:
    stats = httpx.get(settled.url + "/api/v1/stats?today=2026-01-01", timeout=10).json()
    listed = cli("commitments", "list", "--format", "json")
    assert listed.code == 0, listed.output
    counted = Counter(row["status"] for row in json.loads(listed.stdout))
    assert stats["total"] == 29 == sum(stats["by_status"].values())
    assert {s: n for s, n in stats["by_status"].items() if n} == dict(counted)
    assert stats["by_status"]["in_progress"] == 2  # inesia (seed) and uae-france-ai-campus
    assert stats["kept_rate"] == {"rate": 0.5, "numerator": 2, "denominator": 4}
    overdue = ["ai-environment-standards-roadmap", "uae-france-ai-campus"]  # deadlines 2025-12-31, 2025-05-31
    assert stats["overdue"] == 2 and stats["overdue_commitments"] == overdue
    themes = {row["theme"]: row for row in stats["by_theme"]}
    assert sum(row["total"] for row in stats["by_theme"]) == 29
    assert themes["governance"]["by_status"]["broken"] == 1
    assert themes["governance"]["kept_rate"] == {"rate": 0.0, "numerator": 0, "denominator": 1}
    assert themes["investment"]["overdue"] == 1

    by_cli = cli("commitments", "stats", "--today", "2026-01-01", "--format", "json")
    assert by_cli.code == 0, by_cli.output
    assert json.loads(by_cli.stdout) == stats

    table = cli("commitments", "stats", "--today", "2026-01-01")
    assert "Kept rate: 50% (2/4)" in table.stdout
    assert "Overdue: 2" in table.stdout and "uae-france-ai-campus" in table.stdout
    assert "■ 2 achieved" in table.stdout and "■ 23 not rated" in table.stdout  # the catalogue's words

    achieved = httpx.get(settled.url + "/api/v1/stats", params={"signal": "achieved"}, timeout=10).json()
    assert achieved["total"] == 1 and achieved["by_status"]["achieved"] == 1  # current-ai
    since = httpx.get(settled.url + "/api/v1/stats", params={"changed_since": "2099-01-01"}, timeout=10)
    assert since.json()["total"] == 0 and since.json()["kept_rate"]["rate"] is None
    assert httpx.get(settled.url + "/api/v1/stats?signal=nonsense", timeout=10).status_code == 422


def test_dashboard_opens_with_the_overview_and_filters_by_signal_and_date(settled: WebServer) -> None:
    page = httpx.get(settled.url + "/?lang=en", timeout=10).text
    overview = page[page.index('class="overview"') : page.index('class="filters"')]
    legend = re.sub(r"<[^>]+>", " ", overview[overview.index('class="legend"') :])
    legend = " ".join(legend.split())
    assert "Achieved 2" in legend and "Partially achieved 1" in legend and "Broken 1" in legend
    assert "In progress 2" in legend and "Not rated 23" in legend
    assert 'data-status="achieved"' in overview and 'fill="#15803d"' in overview  # colour beside the word
    assert "Kept rate" in overview and "50%" in overview
    assert "2 achieved of 4 resolved" in overview
    assert re.search(r"Overdue</dt>\s*<dd><strong>\d+</strong>", overview)
    assert 'data-theme="governance"' in overview and ">Governance</a>" in overview

    french = httpx.get(settled.url + "/", timeout=10).text
    assert "Taux d'engagements tenus" in french.replace("&#39;", "'") and "50\u00a0%" in french

    achieved = httpx.get(settled.url + "/?signal=achieved&lang=en", timeout=10).text
    assert achieved.count('class="card"') == 1 and 'href="/commitments/current-ai?lang=en"' in achieved
    assert '<option value="achieved" selected>' in achieved
    progress = httpx.get(settled.url + "/?signal=progress", timeout=10).text
    assert progress.count('class="card"') == 1 and 'href="/commitments/inesia"' in progress
    # The seed's publications are from March 2025; status changes were made today.
    recent = httpx.get(settled.url + "/?since=2025-03-10", timeout=10).text
    assert recent.count('class="card"') == len(STATUSES) + 1  # inesia's publications and the changes
    assert 'value="2025-03-10"' in recent
    nothing = httpx.get(settled.url + "/?since=2099-01-01&signal=setback", timeout=10).text
    assert 'class="card"' not in nothing


def test_cards_show_the_last_signal(settled: WebServer) -> None:
    page = httpx.get(settled.url + "/?lang=en", timeout=10).text
    card = page[page.index('href="/commitments/current-ai?lang=en"') :]
    card = card[: card.index("</li>")]
    assert "Last signal:" in card and '<span class="signal">achieved</span>' in card


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_digest_header_holds_the_same_figures(db: str, cli: Callable[..., Any], tmp_path: Any) -> None:
    from tests.test_digest_send import PERIOD, seed_week

    seed_week(db, evidence_items=3)
    settle(db, at=datetime(2025, 2, 12, 9, tzinfo=UTC))  # within the period: its end holds them
    out = tmp_path / "digest.html"
    result = cli("digest", "preview", "--period", PERIOD, "--lang", "en", "--out", str(out), "--text")
    assert result.code == 0, result.output
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert "Where the commitments stand: " in text and "2 achieved · 1 partially achieved" in text
    assert "Kept rate: 50% (2 achieved of 4 resolved)" in text
    assert "Overdue: " in text
    html = out.read_text(encoding="utf-8")
    assert "Where the commitments stand" in html and 'bgcolor="#15803d"' in html
