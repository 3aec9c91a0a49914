"""A held-out slice of stories for event grouping, kept out of the rules' design.

The real corpus is both what the grouping rules (vetoes, linkage, threshold rule) were
written against and what measures them; cross-validation protects the fitted model, not
those rules. So about a fifth of the stories, chosen by a stable hash of their `story` key
(never by reading them), is held out: rules are designed on the other stories' CV
figures, and the held-out slice is scored once before and once after a change — the model
trained (and its linkage chosen) on the development stories only, the held-out stories
grouped apart. `summitwatch tracker evaluate --cv 5 --held-out` prints both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from tracker.event_model import EventFigures, cross_validate_events, pair_counts, train_events
from tracker.events import Grouper, Report
from tracker.labelled import Labelled

SALT = "held-out:"
SHARE = 5  # one story in SHARE, by hash


def held_out(story: str) -> bool:
    """Whether a story belongs to the held-out slice (the same answer on every machine and run)."""
    return int(hashlib.sha256(f"{SALT}{story}".encode()).hexdigest()[:8], 16) % SHARE == 0


def split(rows: Sequence[Labelled]) -> tuple[list[int], list[int]]:
    """Row indexes of the development stories and of the held-out ones."""
    development = [i for i, row in enumerate(rows) if not held_out(row.story)]
    held = [i for i, row in enumerate(rows) if held_out(row.story)]
    return development, held


def _stories_with_several(rows: Sequence[Labelled]) -> int:
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row.story] = sizes.get(row.story, 0) + 1
    return sum(1 for n in sizes.values() if n > 1)


def development_cv(rows: Sequence[Labelled], reports: Sequence[Report], k: int) -> EventFigures:
    """Grouped k-fold CV over the development stories alone (what rules are designed against)."""
    development, _ = split(rows)
    return cross_validate_events(
        None, [rows[i] for i in development], k, reports=[reports[i] for i in development]
    )


def held_out_figures(rows: Sequence[Labelled], reports: Sequence[Report]) -> EventFigures:
    """Train on the development stories, group the held-out ones, count pairs."""
    development, held = split(rows)
    model = train_events([reports[i] for i in development], [rows[i].story for i in development])
    events = Grouper(model).group([reports[i] for i in held])
    figures = EventFigures(publications=len(held))
    figures.counts = pair_counts(events, {reports[i].key: rows[i].story for i in held})
    figures.stories = _stories_with_several([rows[i] for i in held])
    figures.folds = [{"publications": len(held), "threshold": model.threshold}]
    return figures
