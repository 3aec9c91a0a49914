"""The excerpt a reader can quote: the sentence that carries the signal, once.

The sentence of the cue that set the signal, when it is in the text rather than the
headline; otherwise the sentence that names the commitment most strongly. When the
cue sentence only continues the one before ("Cet institut n'est toutefois adossé à
aucun financement propre"), that naming sentence comes first. No sentence twice, no
headline repeated, whitespace folded, cut at a word with an ellipsis when too long.
"""

from __future__ import annotations

import re
from collections import defaultdict

from tracker.clauses import Reading
from tracker.document import Analysis, Hit

EXCERPT_LIMIT = 420
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _cut(text: str) -> str:
    if len(text) <= EXCERPT_LIMIT:
        return text
    return text[: EXCERPT_LIMIT - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def quotable(analysis: Analysis, hits: list[Hit], cue: Reading | None) -> tuple[str, str]:
    """(the sentence that set the signal or names the commitment best, the excerpt to show)."""
    parts = analysis.sentences
    title = _clean(parts[0].text) if parts and parts[0].field == "title" else ""
    weights: dict[int, float] = defaultdict(float)
    for hit in hits:
        if hit.term.kind != "exclusion" and parts[hit.sentence].field != "title":
            weights[hit.sentence] += hit.term.weight
    chosen: list[int] = []
    if cue is not None and parts[cue.sentence].field != "title":
        if cue.sentence not in weights and cue.sentence - 1 in weights:
            chosen.append(cue.sentence - 1)
        chosen.append(cue.sentence)
    elif weights:
        chosen.append(min(weights, key=lambda i: (-weights[i], i)))
    texts: list[str] = []
    for index in chosen:
        text = _clean(parts[index].text)
        if text and text != title and text not in texts:
            texts.append(text)
    if not texts:
        fallback = next((_clean(p.text) for p in parts if p.field != "title" and _clean(p.text)), title)
        texts = [fallback]
    sentence = texts[-1]
    return sentence, _cut(" ".join(texts))
