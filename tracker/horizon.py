"""A date still ahead in a cue's clause makes the cue a plan.

"35 sites annoncés pour 2027", "a global observatory to launch this spring", "the
campus will open by 2028": a verb of fact next to a target date reports an intention,
not a step done. The plan words of the lexicon are read only just before the cue
("va créer"); a horizon can stand anywhere in the clause, so it is read here.

Two kinds: a later year than the publication's after "pour", "en", "in" ("pour 2027" in a
2025 report; a year after a noun is a name or a period, "feuille de route 2026-2027"), or
any year behind "d'ici", "à l'horizon", "by", and relative phrases that always
look ahead ("l'an prochain", "next year", "this spring", "dans les prochains mois"). A span
of years ("109 milliards dans les prochaines années") is how long money is spent, not a
date the thing is due: it is not read.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tracker.phrases import PhraseIndex

YEAR = re.compile(r"^20[2-4]\d$")
# Words that put the year after them ahead of now, whatever the publication's date (folded).
TARGET_BEFORE = frozenset(
    {
        ("ici",),  # "d'ici": the elided "d" is dropped
        ("horizon",),
        ("by",),
        ("bis",),
        ("hasta",),
        ("entro",),
        ("ate",),
    }
)
# Words that make a later year a due date ("pour 2027", "en 2027", "in 2027"); a later year
# after a noun is a name or a period ("feuille de route 2026-2027", "AI Impact Summit 2026").
DUE_BEFORE = frozenset({"pour", "en", "in", "for", "des", "from", "avant", "before", "ab", "desde", "dal"})
# Relative phrases that look ahead in every text (folded words).
AHEAD = (
    "an prochain",
    "annee prochaine",
    "mois prochain",
    "prochains mois",
    "prochaines semaines",
    "ici la fin",
    "au printemps prochain",
    "a l automne prochain",
    "next year",
    "next month",
    "coming months",
    "coming weeks",
    "later this year",
    "this spring",
    "this summer",
    "this autumn",
    "this fall",
    "by the end of the year",
    "by the end of",
    "nachstes jahr",
    "kommenden monaten",
    "proximo ano",
    "prossimo anno",
    "prossimi mesi",
)


@lru_cache(maxsize=1)
def _ahead_index() -> PhraseIndex[str]:
    index: PhraseIndex[str] = PhraseIndex()
    for phrase in AHEAD:
        index.add(phrase.split(), phrase)
    return index


def horizon(folded: list[str], clauses: list[int], clause: int, year: int | None) -> str | None:
    """The words in `clause` that set a date still ahead, if any (None: nothing looks ahead)."""
    words = [w if clauses[i] == clause else "" for i, w in enumerate(folded)] if clauses else folded
    for start, end, _ in _ahead_index().scan(words):
        return " ".join(words[start:end])
    for i, word in enumerate(words):
        if not word or not YEAR.match(word) or i == 0:
            continue
        before = words[i - 1]
        if (before,) in TARGET_BEFORE and (year is None or int(word) > year):
            return f"{before} {word}"
        if year is not None and before in DUE_BEFORE and int(word) > year:
            return f"{before} {word}"
    return None
