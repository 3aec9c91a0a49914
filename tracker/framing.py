"""Headlines that look ahead: a report before the event ("Macron to visit India for the AI
Impact Summit", "ahead of the summit", "en amont du sommet") names a commitment without a
change, whatever progress words its lead repeats from the programme. labelling.md counts
such a text as a `mention`.

Only the headline is read: "ahead of" in the body of a report after the event is history.
The phrases live in lexicon.yaml (`prospect`), folded as the other phrases are.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from tracker.lexicon import LEXICON_FILE
from tracker.normalise import fold_words, normalise, prepare, words
from tracker.phrases import PhraseIndex


@lru_cache(maxsize=1)
def _prospect_index() -> PhraseIndex[str]:
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    index: PhraseIndex[str] = PhraseIndex()
    for entries in (data.get("prospect") or {}).values():
        for phrase in entries or []:
            index.add(normalise(str(phrase)).split(), str(phrase))
    return index


def prospect(headline: str) -> str | None:
    """The phrase that makes `headline` a look ahead ("to visit", "en amont du"), if any."""
    folded = fold_words(words(prepare(headline)))
    for start, end, _ in _prospect_index().scan(folded):
        return " ".join(folded[start:end])
    return None
