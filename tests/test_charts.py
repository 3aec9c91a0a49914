"""The SVG timelines: drawn on the server, with a title, a description and a table of the same figures."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.webserver import WebServer, seed_tracker
from web.charts import status_bar, timeline


@pytest.fixture
def seeded(web_server: WebServer) -> WebServer:
    seed_tracker(web_server.db_url)
    return web_server


def _rows(html: str) -> dict[str, list[str]]:
    """The chart's table: month heading -> the cells after it."""
    table = html[html.index('class="chart-table"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S):
        rows[row[0]] = re.findall(r"<td>(.*?)</td>", row[1])
    return rows


def test_dashboard_timeline_counts_evidence_by_month_and_signal(seeded: WebServer) -> None:
    html = httpx.get(seeded.url + "/?lang=en", timeout=10).text
    chart = html[html.index('class="chart"') :]
    for variant, width in (("wide", 640), ("narrow", 360)):  # desktop and phone drawings
        assert (
            f'<svg viewBox="0 0 {width} 220" width="100%" role="img" aria-labelledby="activity-{variant}-title activity-{variant}-desc"'
            in chart
        )
        assert f'<title id="activity-{variant}-title">Evidence and status changes, by month</title>' in chart
    assert "<title>Mar 2025 · progress: 3</title>" in chart
    # Seed: 12 INESIA publications from 1 March 2025, one a day, every 4th a progress (0, 4, 8),
    # and Current AI's achieved link on the first; INESIA's status changed on 6 March.
    rows = _rows(html)
    assert rows == {"Mar 2025": ["9", "3", "1", "0", "1"]}  # mention, progress, achieved, setback, changes
    assert chart.count('data-signal="progress"') >= 1 and 'fill="#1d4ed8"' in chart
    assert 'class="status-marker"' in chart
    assert "http" not in chart[: chart.index("</figure>")]  # nothing from another host

    french = httpx.get(seeded.url + "/", timeout=10).text
    assert "mars 2025" in _rows(french)

    one = httpx.get(seeded.url + "/?signal=achieved&lang=en", timeout=10).text
    assert _rows(one)["Mar 2025"] == ["0", "0", "1", "0", "0"]  # current-ai only


def test_commitment_page_has_its_own_timeline(seeded: WebServer) -> None:
    html = httpx.get(seeded.url + "/commitments/inesia?lang=en", timeout=10).text
    assert "This commitment&#39;s timeline, by month" in html
    assert _rows(html) == {"Mar 2025": ["9", "3", "0", "0", "1"]}
    quiet = httpx.get(seeded.url + "/commitments/roost?lang=en", timeout=10).text
    assert 'class="chart"' not in quiet  # nothing to draw: no empty chart


def test_geometry() -> None:
    bar = status_bar({"not_rated": 3, "achieved": 1, "broken": 0})
    assert [(s.key, s.x, s.width) for s in bar] == [("not_rated", 0.0, 75.0), ("achieved", 75.0, 25.0)]
    assert status_bar({"achieved": 0}) == []
    chart = timeline(
        [
            {"month": "2025-02", "signals": {"mention": 2, "setback": 2}, "evidence": 4, "status_changes": 1},
            {"month": "2025-03", "signals": {}, "evidence": 0, "status_changes": 0},
        ]
    )
    assert chart is not None and chart.peak == 4
    first, quiet = chart.columns
    assert [b.key for b in first.bars] == ["mention", "setback"]
    assert first.bars[-1].y == chart.plot_top  # the tallest column reaches the top of the plot
    assert quiet.bars == [] and quiet.status_changes == 0
    assert timeline([]) is None
