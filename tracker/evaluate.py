"""Measuring the matcher on labelled publications, as ../shared/labelling.md reports it.

Links: precision, recall and F1 over (publication, commitment) pairs, `maybe` counting
neither way; false links on negatives counted apart. Signals: accuracy over the
required links that were found, with the 3×3 confusion matrix of pos / setback /
mention. A set that trains the matcher is scored by grouped k-fold cross-validation
(the same story never on both sides) and its figures are the folds' mean.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from tracker.labelled import CLASSES, LabelError, Labelled, check_slugs, signal_class
from tracker.matching import Matcher

__all__ = ["Counts", "Evaluation", "LabelError", "Mistake", "cross_validate", "evaluate", "grouped_folds"]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    signal_right: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def signal_accuracy(self) -> float | None:
        return self.signal_right / self.tp if self.tp else None

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.signal_right += other.signal_right

    def as_dict(self) -> dict[str, Any]:
        accuracy = self.signal_accuracy
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "signal_accuracy": None if accuracy is None else round(accuracy, 4),
        }


@dataclass
class Mistake:
    url: str
    slug: str
    kind: str  # "false link on a negative", "false positive", "missed", "signal"
    expected: str | None
    got: str | None
    score: float
    where: str = ""
    detail: str = ""

    @property
    def severity(self) -> tuple[int, float]:
        """Worst first: links on negatives, pos/setback swaps, confident false links, near-certain misses."""
        if self.kind == "false link on a negative":
            return (0, -self.score)
        if self.kind == "signal":
            swapped = {self.expected, self.got} == {"pos", "setback"}
            return (1 if swapped else 3, -self.score)
        if self.kind == "false positive":
            return (2, -self.score)
        return (2, self.score)


def _confusion() -> dict[str, dict[str, int]]:
    return {expected: dict.fromkeys(CLASSES, 0) for expected in CLASSES}


@dataclass
class Evaluation:
    publications: int
    negatives: int
    overall: Counts
    per_commitment: dict[str, Counts]
    confusion: dict[str, dict[str, int]] = field(default_factory=_confusion)
    negative_false_links: int = 0
    mistakes: list[Mistake] = field(default_factory=list)
    threshold: float = 0.0
    folds: list[dict[str, Any]] = field(default_factory=list)

    def class_recall(self) -> dict[str, float | None]:
        """Of the found links labelled with each class, the share the tracker read as that class."""
        out: dict[str, float | None] = {}
        for expected, row in self.confusion.items():
            total = sum(row.values())
            out[expected] = round(row[expected] / total, 4) if total else None
        return out

    def summary(self) -> dict[str, Any]:
        """The headline figures: the folds' mean under cross-validation, else this run's."""
        if not self.folds:
            data = self.overall.as_dict()
            return {
                "precision": data["precision"],
                "recall": data["recall"],
                "f1": data["f1"],
                "signal_accuracy": data["signal_accuracy"],
                "class_recall": self.class_recall(),
                "negative_false_links": self.negative_false_links,
            }
        keys = ("precision", "recall", "f1", "signal_accuracy")
        out: dict[str, Any] = {}
        for key in keys:
            values = [f[key] for f in self.folds if f[key] is not None]
            out[key] = round(mean(values), 4) if values else None
        recalls: dict[str, float | None] = {}
        for cls in CLASSES:
            values = [f["class_recall"][cls] for f in self.folds if f["class_recall"][cls] is not None]
            recalls[cls] = round(mean(values), 4) if values else None
        out["class_recall"] = recalls
        out["negative_false_links"] = sum(f["negative_false_links"] for f in self.folds)
        return out

    def worst(self, limit: int | None = None) -> list[Mistake]:
        ranked = sorted(self.mistakes, key=lambda m: m.severity)
        return ranked if limit is None else ranked[:limit]

    def as_dict(self) -> dict[str, Any]:
        return {
            "publications": self.publications,
            "negatives": self.negatives,
            "threshold": self.threshold,
            "cross_validation": {"folds": len(self.folds), "per_fold": self.folds} if self.folds else None,
            "summary": self.summary(),
            "overall": self.overall.as_dict(),
            "confusion": self.confusion,
            "class_recall": self.class_recall(),
            "negative_false_links": self.negative_false_links,
            "per_commitment": {slug: c.as_dict() for slug, c in sorted(self.per_commitment.items())},
            "mistakes": [m.__dict__ for m in self.worst()],
        }


def evaluate(matcher: Matcher, rows: Iterable[Labelled]) -> Evaluation:
    """Score one matcher on labelled rows."""
    rows = list(rows)
    check_slugs(rows, set(matcher.profiles))
    overall = Counts()
    per: dict[str, Counts] = defaultdict(Counts)
    confusion = _confusion()
    mistakes: list[Mistake] = []
    negatives = false_on_negatives = 0
    for row in rows:
        negatives += row.negative
        got = {link.slug: link for link in matcher.match(row.document)}
        missed = set(row.expected) - set(got)
        missed_links = {m.slug: m for m in matcher.match(row.document, only=missed)} if missed else {}
        for slug in (set(got) | set(row.expected)) - (row.maybe - set(row.expected)):
            counts = per[slug]
            link = got.get(slug)
            expected = row.expected.get(slug)
            if link is not None and expected is not None:
                counts.tp += 1
                overall.tp += 1
                read = signal_class(link.signal)
                confusion[expected][read] += 1
                if read == expected:
                    counts.signal_right += 1
                    overall.signal_right += 1
                else:
                    mistakes.append(
                        Mistake(row.url, slug, "signal", expected, read, link.score, row.where, link.why())
                    )
            elif link is not None:
                counts.fp += 1
                overall.fp += 1
                kind = "false link on a negative" if row.negative else "false positive"
                false_on_negatives += row.negative
                mistakes.append(
                    Mistake(row.url, slug, kind, None, signal_class(link.signal), link.score, row.where)
                )
            else:
                counts.fn += 1
                overall.fn += 1
                near = missed_links.get(slug)
                mistakes.append(
                    Mistake(row.url, slug, "missed", expected, None, near.score if near else 0.0, row.where)
                )
    return Evaluation(
        publications=len(rows),
        negatives=negatives,
        overall=overall,
        per_commitment=dict(per),
        confusion=confusion,
        negative_false_links=false_on_negatives,
        mistakes=mistakes,
        threshold=matcher.threshold,
    )


def _bucket(story: str) -> int:
    return int(hashlib.sha256(story.encode()).hexdigest()[:8], 16)


def grouped_folds(rows: Sequence[Labelled], k: int) -> list[list[int]]:
    """k folds of row indexes, whole stories at a time, balanced by size, the same on every run."""
    return story_folds([row.story for row in rows], k)


def story_folds(row_stories: Sequence[str], k: int) -> list[list[int]]:
    """`grouped_folds` over the rows' story keys alone (what training events needs inside a fold)."""
    if k < 2:
        raise LabelError("cross-validation needs at least 2 folds")
    stories: dict[str, list[int]] = defaultdict(list)
    for index, story in enumerate(row_stories):
        stories[story].append(index)
    if len(stories) < k:
        raise LabelError(f"{len(stories)} stories cannot fill {k} folds")
    folds: list[list[int]] = [[] for _ in range(k)]
    for story in sorted(stories, key=lambda s: (-len(stories[s]), _bucket(s))):
        smallest = min(range(k), key=lambda i: (len(folds[i]), i))
        folds[smallest].extend(stories[story])
    return [sorted(f) for f in folds]


def _fold_figures(result: Evaluation) -> dict[str, Any]:
    data = result.overall.as_dict()
    return {
        "publications": result.publications,
        "precision": data["precision"],
        "recall": data["recall"],
        "f1": data["f1"],
        "signal_accuracy": data["signal_accuracy"],
        "class_recall": result.class_recall(),
        "negative_false_links": result.negative_false_links,
        "threshold": result.threshold,
    }


def cross_validate(
    rows: Sequence[Labelled], k: int, make_matcher: Callable[[list[Labelled]], Matcher]
) -> Evaluation:
    """Train on k-1 folds, score the held-out one, k times; pooled counts and per-fold figures."""
    folds = grouped_folds(rows, k)
    pooled: Evaluation | None = None
    for held in folds:
        held_set = set(held)
        train = [row for i, row in enumerate(rows) if i not in held_set]
        result = evaluate(make_matcher(train), [rows[i] for i in held])
        if pooled is None:
            pooled = result
            pooled.folds = [_fold_figures(result)]
            continue
        pooled.publications += result.publications
        pooled.negatives += result.negatives
        pooled.overall.add(result.overall)
        for slug, counts in result.per_commitment.items():
            pooled.per_commitment.setdefault(slug, Counts()).add(counts)
        for expected, row in result.confusion.items():
            for read, n in row.items():
                pooled.confusion[expected][read] += n
        pooled.negative_false_links += result.negative_false_links
        pooled.mistakes.extend(result.mistakes)
        pooled.folds.append(_fold_figures(result))
    assert pooled is not None
    pooled.threshold = round(mean(f["threshold"] for f in pooled.folds), 4)
    return pooled
