"""Training the link and signal models on real labelled publications (`summitwatch tracker train`).

Link examples are every candidate commitment of every publication (named, or among
the two it reads most like), labelled by whether a reader linked it; `maybe` pairs
are left out. Signal examples are the links a reader made, by class (pos, setback,
mention), except background ones, which are mentions by rule. scikit-learn fits a
logistic regression on standardised features; the link threshold is the one that
gives the best F1 on the training set. Only the weights are kept, as JSON.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tracker.document import Analysis
from tracker.features import LINK_FEATURES, SIGNAL_FEATURES, before, link_features, read_signal
from tracker.labelled import CLASSES, Labelled
from tracker.matching import BM25_CANDIDATES, Matcher, _additive
from tracker.model import LinearModel, Models

LINK_C = 1.0
SIGNAL_C = 0.5
THRESHOLDS = [round(0.2 + 0.025 * i, 3) for i in range(25)]


class TrainingError(ValueError):
    """The labelled set cannot train a model; the message says what is missing."""


@dataclass
class Examples:
    link_x: list[list[float]]
    link_y: list[int]
    signal_x: list[list[float]]
    signal_y: list[str]


def _candidates(analysis: Analysis) -> set[str]:
    ranked = sorted(analysis.bm25, key=lambda s: -analysis.bm25[s])[:BM25_CANDIDATES]
    return set(analysis.by_slug) | set(ranked)


def examples(matcher: Matcher, rows: Sequence[Labelled]) -> Examples:
    out = Examples([], [], [], [])
    for row in rows:
        analysis = matcher.analyse(row.document)
        for slug in sorted(_candidates(analysis) | set(row.expected)):
            profile = matcher.profiles.get(slug)
            hits = analysis.by_slug.get(slug, [])
            if profile is None or (slug in row.maybe and slug not in row.expected) or not hits:
                continue
            raw, _, _, proximity = _additive(hits)
            features = link_features(analysis, slug, hits, raw, proximity)
            out.link_x.append([features[name] for name in LINK_FEATURES])
            out.link_y.append(int(slug in row.expected))
            expected = row.expected.get(slug)
            doc = row.document
            if expected is None or before(doc.published_at, profile.made_on, doc.date_precision):
                continue
            reading = read_signal(analysis, slug, profile.made_on)
            out.signal_x.append([reading.features[name] for name in SIGNAL_FEATURES])
            out.signal_y.append(expected)
    return out


def _standardise(x: list[list[float]]) -> tuple[list[float], list[float]]:
    columns = list(zip(*x, strict=True))
    mean = [sum(c) / len(c) for c in columns]
    scale = []
    for c, m in zip(columns, mean, strict=True):
        variance = sum((v - m) ** 2 for v in c) / len(c)
        scale.append(variance**0.5 if variance > 1e-12 else 1.0)
    return mean, scale


def _fit(
    x: list[list[float]],
    y: Sequence[object],
    features: list[str],
    c: float,
    balanced: bool,
    solver: str = "lbfgs",
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression  # training only: matching never imports it

    mean, scale = _standardise(x)
    z = [[(v - m) / s for v, m, s in zip(row, mean, scale, strict=True)] for row in x]
    model = LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, max_iter=2000, solver=solver
    )
    model.fit(z, list(y))
    return LinearModel(
        features=list(features),
        classes=[str(k) for k in model.classes_],
        coef=[[float(w) for w in row] for row in model.coef_],
        intercept=[float(b) for b in model.intercept_],
        mean=mean,
        scale=scale,
    )


def _best_threshold(model: LinearModel, x: list[list[float]], y: list[int]) -> float:
    positive = model.classes[1]
    probabilities = [model.probabilities(dict(zip(model.features, row, strict=True)))[positive] for row in x]
    best, best_f1 = 0.5, -1.0
    for threshold in THRESHOLDS:
        tp = sum(p >= threshold and t for p, t in zip(probabilities, y, strict=True))
        fp = sum(p >= threshold and not t for p, t in zip(probabilities, y, strict=True))
        fn = sum(p < threshold and t for p, t in zip(probabilities, y, strict=True))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = threshold, f1
    return best


def _corpus_digest(rows: Sequence[Labelled]) -> str:
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.url):
        digest.update(f"{row.url}\t{sorted(row.expected.items())}\n".encode())
    return digest.hexdigest()[:16]


def train(matcher: Matcher, rows: Sequence[Labelled], signal_model: bool = False) -> Models:
    """Fit the link model on `rows` (and the signal model when asked); the matcher reads the texts.

    The signal model is off by default: on the real corpus, under grouped cross-validation, it
    read signals less well than the ordered clause rules (see README, "How the tracker is measured").
    """
    data = examples(matcher, rows)
    if len(set(data.link_y)) < 2:
        raise TrainingError("the labelled set needs both linked and unlinked candidates")
    missing = set(CLASSES) - set(data.signal_y)
    if signal_model and missing:
        raise TrainingError(f"the labelled set has no link of class {', '.join(sorted(missing))}")
    link = _fit(data.link_x, data.link_y, LINK_FEATURES, LINK_C, balanced=False)
    link.classes = ["unlinked", "linked"]
    link.threshold = _best_threshold(link, data.link_x, data.link_y)
    stamp = {
        "publications": len(rows),
        "corpus": _corpus_digest(rows),
        "at": datetime.now(UTC).date().isoformat(),
    }
    link.trained = {**stamp, "examples": len(data.link_y), "linked": sum(data.link_y)}
    if not signal_model:
        return Models(link=link)
    signal = _fit(data.signal_x, data.signal_y, SIGNAL_FEATURES, SIGNAL_C, balanced=True)
    signal.trained = {**stamp, "examples": len(data.signal_y), "classes": dict(Counter(data.signal_y))}
    return Models(link=link, signal=signal)
