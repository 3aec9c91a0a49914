"""Measuring the matcher on labelled publications: precision, recall, F1, signal accuracy.

A labelled file is JSON Lines; each line a publication (url, title, body, summary,
language, published_at, source) with `expected`: the links a careful reader made,
as [{"slug": ..., "signal": ...}]. An empty list is a negative.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.matching import Document, Matcher


class LabelError(ValueError):
    """A labelled file that cannot be read; the message names the file and line."""


@dataclass
class Labelled:
    url: str
    document: Document
    expected: dict[str, str]
    where: str


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
    kind: str  # "false positive", "missed", "signal"
    expected: str | None
    got: str | None
    score: float


@dataclass
class Evaluation:
    publications: int
    negatives: int
    overall: Counts
    per_commitment: dict[str, Counts]
    mistakes: list[Mistake] = field(default_factory=list)
    threshold: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "publications": self.publications,
            "negatives": self.negatives,
            "threshold": self.threshold,
            "overall": self.overall.as_dict(),
            "per_commitment": {slug: c.as_dict() for slug, c in sorted(self.per_commitment.items())},
            "mistakes": [m.__dict__ for m in self.mistakes],
        }


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(path.glob("*.jsonl"))
        if not found:
            raise LabelError(f"{path}: no *.jsonl file in this folder")
        return found
    if not path.exists():
        raise LabelError(f"{path}: no such file or folder")
    return [path]


def read_labelled(path: Path) -> list[Labelled]:
    """Every labelled publication under `path` (a .jsonl file or a folder of them)."""
    rows: list[Labelled] = []
    for file in _files(path):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            try:
                data = json.loads(line)
                published = data.get("published_at")
                document = Document(
                    title=data["title"],
                    body=data.get("body") or "",
                    summary=data.get("summary"),
                    language=data.get("language"),
                    published_at=datetime.fromisoformat(published) if published else None,
                )
                expected = {e["slug"]: e.get("signal", "mention") for e in data["expected"]}
                rows.append(Labelled(data["url"], document, expected, where))
            except (ValueError, KeyError, TypeError) as exc:
                raise LabelError(f"{where}: {type(exc).__name__}: {exc}") from exc
    return rows


def evaluate(matcher: Matcher, rows: Iterable[Labelled]) -> Evaluation:
    overall = Counts()
    per: dict[str, Counts] = defaultdict(Counts)
    mistakes: list[Mistake] = []
    count = negatives = 0
    for row in rows:
        count += 1
        negatives += not row.expected
        unknown = set(row.expected) - set(matcher.profiles)
        if unknown:
            raise LabelError(f"{row.where}: unknown commitment slug(s): {', '.join(sorted(unknown))}")
        got = {link.slug: link for link in matcher.match(row.document)}
        missed = set(row.expected) - set(got)
        missed_scores = {m.slug: m.score for m in matcher.match(row.document, only=missed)} if missed else {}
        for slug in set(got) | set(row.expected):
            counts = per[slug]
            link = got.get(slug)
            if link is not None and slug in row.expected:
                for c in (counts, overall):
                    c.tp += 1
                if link.signal == row.expected[slug]:
                    counts.signal_right += 1
                    overall.signal_right += 1
                else:
                    mistakes.append(
                        Mistake(row.url, slug, "signal", row.expected[slug], link.signal, link.score)
                    )
            elif link is not None:
                counts.fp += 1
                overall.fp += 1
                mistakes.append(Mistake(row.url, slug, "false positive", None, link.signal, link.score))
            else:
                counts.fn += 1
                overall.fn += 1
                mistakes.append(
                    Mistake(row.url, slug, "missed", row.expected[slug], None, missed_scores.get(slug, 0.0))
                )
    return Evaluation(count, negatives, overall, dict(per), mistakes, matcher.threshold)
