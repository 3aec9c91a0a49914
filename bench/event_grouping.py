"""Event grouping: pair precision and recall on the real corpus's stories, and its cost.

Quality, under grouped 5-fold cross-validation (the same story never in both halves):
ours (the pair model over commitments, names, countries, numbers, days, quotes, title and
lead — as words and as char-gram sketches — and dates, with top-2 linkage at a fixed
threshold, 0.8) against a reference a simple feed reader would use: the same commitment
and a fuzzy title match (rapidfuzz token_set_ratio ≥ 80), joined by single linkage.

The held-out fifth of the stories (`tracker/holdout.py`, the slice `tracker evaluate --slice holdout` scores):
trained on the other stories, grouped apart.

Cost: grouping the corpus repeated to 10,000 reports (dates shifted by three years per copy:
the corpus spans two, so copies never meet and each holds one summit-sized burst), in reports
per second, with peak memory.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz

from bench.common import peak_rss_mb, report, timer
from storage.baseline import read_commitments
from tracker.evaluate import grouped_folds
from tracker.event_holdout import held_out_figures
from tracker.event_model import cross_validate_events, load_event_model, pair_counts, reports_of
from tracker.events import Event, Grouper, Report
from tracker.labelled import read_labelled
from tracker.matching import Matcher
from tracker.profiles import build_profiles

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "labelled" / "real"
SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000


def title_reference(reports: list[Report]) -> list[Event]:
    """Same commitment and a near-identical title, joined transitively."""
    parent = list(range(len(reports)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(reports):
        for j in range(i + 1, len(reports)):
            b = reports[j]
            if (
                set(a.commitments) & set(b.commitments)
                and fuzz.token_set_ratio(a.title_text, b.title_text) >= 80
            ):
                parent[root(i)] = root(j)
    groups: dict[int, list[Report]] = {}
    for i, r in enumerate(reports):
        groups.setdefault(root(i), []).append(r)
    return [Event(members) for members in groups.values()]


def main() -> None:
    rows = read_labelled(CORPUS)
    matcher = Matcher(build_profiles(read_commitments()), None)
    reports = reports_of(matcher, rows)
    ours = cross_validate_events(matcher, rows, 5, reports=reports)
    story = {r.key: row.story for r, row in zip(reports, rows, strict=True)}
    reference = None
    for held in grouped_folds(rows, 5):
        counts = pair_counts(
            title_reference([reports[i] for i in held]), {reports[i].key: story[reports[i].key] for i in held}
        )
        if reference is None:
            reference = counts
        else:
            reference.add(counts)
    assert reference is not None
    report(
        "events: pair precision (real corpus, grouped 5-fold CV)",
        ours.counts.precision,
        reference.precision,
        "",
        "≥ 0.9",
    )
    report(
        "events: pair recall (real corpus, grouped 5-fold CV)",
        ours.counts.recall,
        reference.recall,
        "",
        "≥ 0.8",
    )

    held = held_out_figures(rows, reports)
    report(
        "events: pair precision (held-out fifth of the stories, trained on the rest)",
        held.counts.precision,
        None,
        "",
        "≥ 0.9",
    )
    report(
        "events: pair recall (held-out fifth of the stories, trained on the rest)",
        held.counts.recall,
        None,
        "",
        "≥ 0.8",
    )

    model = load_event_model()
    if model is None:
        print("no shipped event model: run `summitwatch tracker train tests/data/labelled/real`")
        return
    scaled: list[Report] = []
    copy = 0
    while len(scaled) < SCALE:
        shift = timedelta(days=3 * 366 * copy)
        for r in reports:
            when = r.published_at + shift if r.published_at else None
            scaled.append(replace(r, key=f"{copy}:{r.key}", published_at=when))
        copy += 1
    scaled = scaled[:SCALE]
    with timer() as took:
        events = Grouper(model).group(scaled)
    report(
        f"events: reports grouped per second ({SCALE:,} reports)",
        SCALE / took["seconds"],
        None,
        "reports/s",
        f"{len(events):,} events",
    )
    report("events: peak RSS (MB)", peak_rss_mb(), None, "MB")


if __name__ == "__main__":
    main()
