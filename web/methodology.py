"""The methodology page: what the statuses and signals mean, the status rule, how links are
scored and reviewed, what the sources cover, when the data were last refreshed, and the
tracker's accuracy as last measured (`tracker/models/accuracy.json`, written by
`summitwatch tracker evaluate --write-figures`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crawler.sources import SourcesError, load_sources
from storage.methodology import refresh_state
from storage.models import SIGNALS, STATUSES
from tracker.accuracy import ACCURACY, read_accuracy
from web.render import db, render, settings_of

router = APIRouter(include_in_schema=False)

SHARES = frozenset(
    {
        "link_precision",
        "link_recall",
        "link_f1",
        "signal_accuracy",
        "recall_progress",
        "recall_setback",
        "recall_mention",
        "events_pair_precision",
        "events_pair_recall",
    }
)


def _entry_points(path: Path | None) -> dict[str, dict[str, Any]]:
    """Each configured source's entry points (listings, feeds, sitemaps) as full URLs."""
    try:
        configs = load_sources(path)
    except (OSError, SourcesError):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for slug, config in configs.items():

        def full(value: str, base: str = config.canonical) -> str:
            return value if "://" in value else base.rstrip("/") + value

        out[slug] = {
            "listings": [full(v) for v in config.listings],
            "feeds": [full(v) for v in (*config.feeds, *config.extra_feeds)],
            "sitemaps": [full(v) for v in config.sitemaps],
        }
    return out


@router.get("/methodology", response_class=HTMLResponse)
def methodology(request: Request) -> HTMLResponse:
    settings = settings_of(request)
    with db(request) as session:
        state = refresh_state(session)
    entries = _entry_points(settings.crawler.sources_file)
    for source in state["sources"]:
        source["entry_points"] = entries.get(source["slug"])
    return render(
        request,
        "methodology.html",
        {
            "statuses": STATUSES,
            "signals": SIGNALS,
            "state": state,
            "accuracy": read_accuracy(ACCURACY),
            "shares": SHARES,
            "auto_apply_above": settings.tracker.auto_apply_above,
        },
    )
