"""The held-out slice of the real corpus: stable, whole stories, never listed in errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tracker.holdout import held_out, split
from tracker.labelled import read_labelled

REAL = Path(__file__).parent / "data" / "labelled" / "real"


def test_the_slice_is_whole_stories_about_a_fifth_and_independent_of_order() -> None:
    rows = read_labelled(REAL)
    dev, held = split(rows)
    assert len(dev) + len(held) == len(rows)
    assert not {r.story for r in dev} & {r.story for r in held}
    stories = {r.story for r in rows}
    share = len({r.story for r in held}) / len(stories)
    assert 0.12 < share < 0.28, share
    shuffled = list(rows)
    random.Random(7).shuffle(shuffled)
    assert {r.url for r in split(shuffled)[1]} == {r.url for r in held}
    assert held_out("some-story", 100) and not held_out("some-story", 0)


def test_holdout_scores_the_slice_and_prints_no_error_of_it(cli, env) -> None:
    rows = read_labelled(REAL)
    _, held = split(rows)
    result = cli("tracker", "evaluate", str(REAL), "--slice", "holdout", "--format", "json", timeout=300)
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert data["slice"] == "holdout" and data["publications"] == len(held)
    assert data["mistakes"] == []
    assert data["overall"]["tp"] > 0
    assert data["events"]["publications"] == len(held) and data["events"]["pair_precision"] is not None

    dev = cli("tracker", "evaluate", str(REAL), "--slice", "dev", "--format", "json", timeout=300)
    assert dev.code == 0, dev.output
    measured = json.loads(dev.stdout)
    assert measured["publications"] == len(rows) - len(held)
    held_places = {r.where for r in held}
    assert measured["mistakes"] and not {m["where"] for m in measured["mistakes"]} & held_places

    refused = cli("tracker", "evaluate", str(REAL), "--slice", "holdout", "--cv", "3")
    assert refused.code != 0 and "--cv" in refused.output
