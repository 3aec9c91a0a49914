"""The tracker's measured accuracy, as `summitwatch tracker evaluate --write-figures` writes it.

One JSON file (`tracker/models/accuracy.json` by default) holds the headline figures of one
real measurement on the labelled corpus, with the targets they are held to; the methodology
page reads it, so no figure is typed by hand. Each figure says whether it meets its target.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.model import MODELS_DIR

ACCURACY = MODELS_DIR / "accuracy.json"
SIGNALS = ("progress", "setback", "mention")

# The targets the figures are held to (README, "How the tracker is measured"): `at_least`
# for a share, `at_most` for a count.
TARGETS: dict[str, dict[str, float]] = {
    "link_f1": {"at_least": 0.92},
    "negative_false_links": {"at_most": 0},
    "signal_accuracy": {"at_least": 0.85},
    **{f"recall_{cls}": {"at_least": 0.70} for cls in SIGNALS},
    "events_pair_precision": {"at_least": 0.9},
    "events_pair_recall": {"at_least": 0.8},
}


def figures_of(
    summary: dict[str, Any],
    publications: int,
    negatives: int,
    folds: int,
    corpus: str,
    events: dict[str, Any] | None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """The file's content from an evaluation's summary (folds' mean under cross-validation)."""
    recall = summary.get("class_recall") or {}
    if events is not None and not events.get("stories_with_several"):
        events = None  # no story told twice: pairs were not measured
    figures: dict[str, Any] = {
        "link_precision": summary.get("precision"),
        "link_recall": summary.get("recall"),
        "link_f1": summary.get("f1"),
        "negative_false_links": summary.get("negative_false_links"),
        "signal_accuracy": summary.get("signal_accuracy"),
        "recall_progress": recall.get("pos"),
        "recall_setback": recall.get("setback"),
        "recall_mention": recall.get("mention"),
        "events_pair_precision": events.get("pair_precision") if events else None,
        "events_pair_recall": events.get("pair_recall") if events else None,
    }
    return {
        "measured_at": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "corpus": corpus,
        "publications": publications,
        "negatives": negatives,
        "folds": folds,
        "figures": figures,
        "targets": TARGETS,
    }


def write_figures(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Figure:
    """One measured figure beside its target; `met` is None when nothing was measured."""

    key: str
    value: float | None
    at_least: float | None
    at_most: float | None

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        if self.at_least is not None:
            return self.value >= self.at_least
        if self.at_most is not None:
            return self.value <= self.at_most
        return None


@dataclass(frozen=True)
class Accuracy:
    measured_at: datetime | None
    corpus: str
    publications: int
    negatives: int
    folds: int
    figures: list[Figure]

    @property
    def met(self) -> int:
        return sum(1 for f in self.figures if f.met)

    @property
    def targets(self) -> int:
        """How many figures have a target (and were measured)."""
        return sum(1 for f in self.figures if f.met is not None)


def read_accuracy(path: Path = ACCURACY) -> Accuracy | None:
    """The last measurement written, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    targets = data.get("targets") or {}
    figures = [
        Figure(
            key=key,
            value=value,
            at_least=(targets.get(key) or {}).get("at_least"),
            at_most=(targets.get(key) or {}).get("at_most"),
        )
        for key, value in (data.get("figures") or {}).items()
    ]
    try:
        when = datetime.fromisoformat(data["measured_at"]) if data.get("measured_at") else None
    except ValueError:
        when = None
    return Accuracy(
        measured_at=when,
        corpus=str(data.get("corpus") or ""),
        publications=int(data.get("publications") or 0),
        negatives=int(data.get("negatives") or 0),
        folds=int(data.get("folds") or 0),
        figures=figures,
    )
