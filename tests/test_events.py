"""Events: real reports of one happening grouped into one item, on both backends, by CLI and API.

The publications are real ones from the labelled corpus (tests/data/labelled/real), chosen by
their `story` key; the figures the tracker reports about grouping come from cross-validation.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from storage.baseline import read_commitments
from storage.db import session_scope
from storage.importer import import_jsonl
from tests.conftest import CliResult
from tests.support.webserver import WebServer
from tracker.event_grouping import regroup
from tracker.event_model import cross_validate_events, load_event_model, reports_of
from tracker.events import Grouper
from tracker.labelled import Labelled, read_labelled
from tracker.matching import Matcher
from tracker.pipeline import match_pending
from tracker.profiles import build_profiles

REAL = Path(__file__).parent / "data" / "labelled" / "real"
STORIES = ("roost-launch-2025-02-10", "coalition-sustainable-ai-launch-2025-02-11")


def _rows(stories: tuple[str, ...]) -> list[Labelled]:
    return [r for r in read_labelled(REAL) if r.story in stories and r.document.published_at is not None]


def _jsonl(rows: list[Labelled], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            data = {
                k: row.raw[k] for k in ("url", "title", "published_at", "body", "language") if row.raw.get(k)
            }
            out.write(json.dumps({**data, "source": "cesia"}, ensure_ascii=False) + "\n")
    return path


def test_shipped_model_groups_real_reports_of_two_launches_apart() -> None:
    rows = _rows(STORIES)
    matcher = Matcher(build_profiles(read_commitments()), None)
    model = load_event_model()
    assert model is not None
    events = Grouper(model).group(reports_of(matcher, rows))
    story = {r.url: r.story for r in rows}
    mixed = [e for e in events if len({story[m.key] for m in e.members}) > 1]
    assert not mixed, [[m.title for m in e.members] for e in mixed]
    biggest = Counter({e.first.key: len(e.members) for e in events}).most_common(1)[0][1]
    assert biggest >= 4, "at least four reports of one launch read as one event"


@pytest.mark.slow
def test_grouping_holds_its_line_under_grouped_cross_validation() -> None:
    matcher = Matcher(build_profiles(read_commitments()), None)
    figures = cross_validate_events(matcher, read_labelled(REAL), 5)
    # Measured 0.746 / 0.777 (README, "Events"); the target is 0.9 / 0.8.
    assert figures.counts.precision >= 0.70 and figures.counts.recall >= 0.72, figures.line()


def _events(cli: Callable[..., CliResult], *args: str) -> list[dict]:
    done = cli("events", "list", "--format", "json", *args)
    assert done.code == 0, done.output
    return json.loads(done.stdout)


def test_events_from_a_match_by_cli_and_api(
    web_server: WebServer, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    rows = _rows(STORIES[:1])
    with session_scope(web_server.db_url) as session:
        report = import_jsonl(session, _jsonl(rows, tmp_path / "roost.jsonl"))
    assert report.new == len(rows)
    assert "events:" in match_pending().line()
    events = _events(cli, "--commitment", "roost")
    assert events, "the ROOST launch reports make at least one event"
    top = max(events, key=lambda e: len(e["publications"]))
    assert len(top["publications"]) >= 4
    assert "roost" in top["commitments"]
    assert {p["url"] for p in top["publications"]} <= {r.url for r in rows}
    # idempotent: a rematch and a regroup keep the same events, with the same ids
    match_pending(rematch=True)
    regroup()
    assert _events(cli, "--commitment", "roost") == events
    api = httpx.get(web_server.url + "/api/v1/events?commitment=roost&per_page=50", timeout=10).json()
    assert [e["id"] for e in api["items"]] == [e["id"] for e in events]
    explained = cli("events", "explain", str(top["id"]))
    assert explained.code == 0 and "opened the event" in explained.stdout and "joined at" in explained.stdout
    # a confirmed event is never split, whatever the grouping reads later
    confirmed = cli("events", "confirm", str(top["id"]), "--by", "Ana")
    assert confirmed.code == 0 and "confirmed" in confirmed.stdout
    regroup()
    after = {e["id"]: e for e in _events(cli)}
    assert {p["url"] for p in after[top["id"]]["publications"]} >= {p["url"] for p in top["publications"]}
    assert after[top["id"]]["confirmed"] is True


def test_bad_event_arguments_are_one_error_line(db: str, cli: Callable[..., CliResult]) -> None:
    unknown = cli("events", "list", "--commitment", "no-such-thing")
    assert unknown.code == 2 and unknown.stderr.startswith("error:") and "no-such-thing" in unknown.stderr
    missing = cli("events", "explain", "99999999999999999999")
    assert missing.code == 2 and missing.stderr.startswith("error:")
    nobody = cli("events", "confirm", "1")
    assert nobody.code == 2 and "--by" in nobody.stderr
