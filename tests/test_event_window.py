"""The regroup after a match reads only the window around the matched publications, and
gives the events a full regroup gives; a confirmed event is never split by it.

Real publications of the labelled corpus (tests/data/labelled/real), on both backends.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from storage.baseline import read_commitments
from storage.db import session_scope
from storage.events import get_event, list_events
from storage.importer import import_jsonl
from tracker.event_grouping import regroup
from tracker.event_model import load_event_model, reports_of
from tracker.event_window import Stored, window
from tracker.events import Grouper, Weights
from tracker.labelled import Labelled, read_labelled
from tracker.matching import Matcher
from tracker.pipeline import match_pending
from tracker.profiles import build_profiles

REAL = Path(__file__).parent / "data" / "labelled" / "real"


def _partition(events) -> list[list[str]]:
    return sorted(sorted(m.key for m in e.members) for e in events)


def test_window_gives_the_full_regroup_on_the_real_corpus() -> None:
    """Over the whole corpus (dated and undated), grouping the window of a few changed
    publications again, with the store's weights, leaves every event as a full regroup."""
    rows = read_labelled(REAL)
    matcher = Matcher(build_profiles(read_commitments()), None)
    model = load_event_model()
    assert model is not None
    reports = [
        r.__class__(**{**r.__dict__, "key": str(n + 1)}) for n, r in enumerate(reports_of(matcher, rows))
    ]
    weights = Weights.of(reports)
    full = Grouper(model).group(reports, weights=weights)
    event_of = {m.key: n for n, e in enumerate(full) for m in e.members}
    by_key = {r.key: r for r in reports}
    stored = [Stored(int(r.key), r.published_at, frozenset(r.commitments), event_of[r.key]) for r in reports]
    pick = random.Random(17)
    dated = [r for r in reports if r.published_at is not None]
    undated = [r for r in reports if r.published_at is None]
    for changed in [pick.sample(dated, 3) for _ in range(6)] + [pick.sample(undated, 1)]:
        keys = {str(i) for i in window(stored, {int(r.key) for r in changed})}
        touched = {event_of[k] for k in keys}
        again = Grouper(model).group([by_key[k] for k in keys], weights=weights)
        kept = [e for n, e in enumerate(full) if n not in touched]
        assert _partition(kept + again) == _partition(full), [r.title for r in changed]


def _rows(story: str) -> list[Labelled]:
    rows = [r for r in read_labelled(REAL) if r.story == story and r.document.published_at is not None]
    return sorted(rows, key=lambda r: r.document.published_at)


def _import(db: str, rows: list[Labelled], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            data = {
                k: row.raw[k] for k in ("url", "title", "published_at", "body", "language") if row.raw.get(k)
            }
            out.write(json.dumps({**data, "source": "cesia"}, ensure_ascii=False) + "\n")
    with session_scope(db) as session:
        assert import_jsonl(session, path).new == len(rows)


def _read(line: str) -> int:
    found = re.search(r"(\d+) publications in", line)
    assert found, line
    return int(found.group(1))


def _events(db: str) -> list[tuple[int, bool, list[str]]]:
    with session_scope(db) as session:
        return sorted(
            (e.id, e.confirmed, sorted(p["url"] for p in e.publications)) for e in list_events(session)
        )


def test_a_new_publication_regroups_only_its_window(db: str, tmp_path: Path) -> None:
    launch = _rows("roost-launch-2025-02-10")  # February 2025
    draft = _rows("ai-act-authorities-draft-2025-09-09")  # September 2025: more than 120 days on
    assert len(launch) >= 4 and len(draft) >= 2
    _import(db, launch[:-1] + draft[:1], tmp_path / "first.jsonl")
    assert _read(match_pending().events) == len(launch)
    with session_scope(db) as session:
        roost = max(list_events(session), key=lambda e: len(e.publications))
    assert len(roost.publications) >= 2
    with session_scope(db) as session:  # a reviewer confirms the launch's event
        get_event(session, roost.id).confirmed = True

    _import(db, draft[1:2], tmp_path / "second.jsonl")
    assert _read(match_pending().events) == 2, "the September report reads September only"
    _import(db, launch[-1:], tmp_path / "third.jsonl")
    assert _read(match_pending().events) < len(launch) + 2
    after = {e[0]: e for e in _events(db)}
    assert after[roost.id][1] is True
    assert set(after[roost.id][2]) >= {p["url"] for p in roost.publications}, "the confirmed event is whole"

    windowed = _events(db)
    match_pending(rematch=True)  # idempotent on rematch
    assert _events(db) == windowed
    regroup()  # a full regroup gives the same events, with the same ids
    assert _events(db) == windowed
