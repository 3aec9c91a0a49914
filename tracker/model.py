"""Small linear models the tracker ships as JSON: one for links, one for signals.

They are trained by `summitwatch tracker train` (scikit-learn's logistic regression) on
the real labelled corpus, and read here with plain Python: no scikit-learn, no pickle
at match time, and every weight can be read (and explained) by a person.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from operator import mul
from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).with_name("models")
LINK_MODEL = MODELS_DIR / "link.json"
SIGNAL_MODEL = MODELS_DIR / "signal.json"


class ModelError(ValueError):
    """A model file that cannot be used; the message names the file."""


@dataclass
class LinearModel:
    """Standardised features, one weight row per class (one row for a binary model)."""

    features: list[str]
    classes: list[str]
    coef: list[list[float]]
    intercept: list[float]
    mean: list[float]
    scale: list[float]
    threshold: float | None = None
    trained: dict[str, Any] = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        return len(self.coef) == 1

    def _z(self, values: dict[str, float]) -> list[float]:
        return [
            (values.get(name, 0.0) - m) / s
            for name, m, s in zip(self.features, self.mean, self.scale, strict=True)
        ]

    def probabilities(self, values: dict[str, float]) -> dict[str, float]:
        z = self._z(values)
        # sum(map(mul, …)): the products and their sum in the same order as a generator's, in C
        logits = [sum(map(mul, row, z)) + b for row, b in zip(self.coef, self.intercept, strict=True)]
        if self.binary:
            p = 1.0 / (1.0 + math.exp(-max(min(logits[0], 50.0), -50.0)))
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        top = max(logits)
        exp = [math.exp(v - top) for v in logits]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def contributions(self, values: dict[str, float], cls: str) -> list[tuple[str, float]]:
        """What each feature added to one class's logit, largest first: the model's reasons."""
        row = self.coef[0] if self.binary else self.coef[self.classes.index(cls)]
        sign = -1.0 if self.binary and cls == self.classes[0] else 1.0
        parts = [
            (name, sign * w * x) for name, w, x in zip(self.features, row, self._z(values), strict=True) if x
        ]
        return sorted(parts, key=lambda p: -abs(p[1]))

    def digest(self) -> str:
        payload = json.dumps([self.features, self.classes, self.coef, self.intercept, self.threshold])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise ModelError(f"{path}: not a tracker model ({exc})") from exc
        if len(model.mean) != len(model.features) or any(len(r) != len(model.features) for r in model.coef):
            raise ModelError(f"{path}: weights and features disagree in length")
        return model


@dataclass
class Models:
    """The link and signal models in use; either may be missing (then the rules decide)."""

    link: LinearModel | None = None
    signal: LinearModel | None = None

    def digest(self) -> str:
        return "/".join(m.digest() if m else "rules" for m in (self.link, self.signal))


def load_models(directory: Path = MODELS_DIR) -> Models:
    """The shipped models; a missing file means the rules decide that part."""
    link = directory / LINK_MODEL.name
    signal = directory / SIGNAL_MODEL.name
    return Models(
        link=LinearModel.load(link) if link.exists() else None,
        signal=LinearModel.load(signal) if signal.exists() else None,
    )
