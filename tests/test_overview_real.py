"""On the real labelled publications, every proposal applied: the stats agree with the listing."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from storage.db import session_scope
from tests.support.webserver import WebServer
from tests.test_status_rule import _import_real
from tracker.pipeline import match_pending
from tracker.workflow import apply_all

pytestmark = pytest.mark.slow


def test_stats_agree_with_commitments_list_on_real_publications(
    web_server: WebServer, cli: Callable[..., Any]
) -> None:
    assert _import_real(web_server.db_url) > 450
    match_pending()
    with session_scope(web_server.db_url) as session:
        assert apply_all(session, "Ana")
    stats = httpx.get(web_server.url + "/api/v1/stats", timeout=30).json()
    listed = json.loads(cli("commitments", "list", "--format", "json").stdout)
    assert stats["total"] == len(listed) == 29
    assert {s: n for s, n in stats["by_status"].items() if n} == dict(Counter(r["status"] for r in listed))
    assert stats["by_status"]["not_rated"] < 29  # the real corpus moved some
    kept = stats["kept_rate"]
    resolved = sum(1 for r in listed if r["status"] in ("achieved", "partially_achieved", "broken"))
    assert kept["denominator"] == resolved
    assert kept["numerator"] == sum(1 for r in listed if r["status"] == "achieved")
    for theme in stats["by_theme"]:
        members = [r for r in listed if r["theme"] == theme["theme"]]
        assert theme["total"] == len(members)
        assert theme["by_status"]["achieved"] == sum(1 for r in members if r["status"] == "achieved")

    by_cli = json.loads(cli("commitments", "stats", "--format", "json").stdout)
    assert by_cli == stats
    page = httpx.get(web_server.url + "/?lang=en", timeout=30).text
    legend = " ".join(re.sub(r"<[^>]+>", " ", page[page.index('class="legend"') :][:3000]).split())
    for status, n in stats["by_status"].items():
        if n:
            word = {"not_rated": "Not rated", "in_progress": "In progress", "achieved": "Achieved"}.get(
                status
            )
            if word:
                assert f"{word} {n}" in legend, (status, legend)
