"""Event grouping on the held-out slice of stories (`tracker.holdout`), kept out of rule design.

The grouping rules (vetoes, linkage, threshold) are written against the real corpus, which
also measures them; cross-validation protects the fitted model, not those rules. The
held-out stories are scored with a model trained on the development stories alone, and
grouped apart from them: `summitwatch tracker evaluate --slice holdout` prints the figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.event_model import EventFigures, pair_counts, stories_with_several, train_events
from tracker.events import Grouper, Report
from tracker.holdout import held_out
from tracker.labelled import Labelled


def split(rows: Sequence[Labelled]) -> tuple[list[int], list[int]]:
    """Row indexes of the development stories and of the held-out ones."""
    development = [i for i, row in enumerate(rows) if not held_out(row.story)]
    held = [i for i, row in enumerate(rows) if held_out(row.story)]
    return development, held


def held_out_figures(rows: Sequence[Labelled], reports: Sequence[Report]) -> EventFigures:
    """Train on the development stories, group the held-out ones, count pairs."""
    development, held = split(rows)
    model = train_events([reports[i] for i in development], [rows[i].story for i in development])
    events = Grouper(model).group([reports[i] for i in held])
    figures = EventFigures(publications=len(held))
    figures.counts = pair_counts(events, {reports[i].key: rows[i].story for i in held})
    figures.stories = stories_with_several([rows[i] for i in held])
    figures.folds = [{"publications": len(held), "threshold": model.threshold}]
    return figures
