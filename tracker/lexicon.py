"""The cue lexicon (tracker/lexicon.yaml), compiled for one pass over a sentence.

Verb and noun cues are matched on stems, so every inflection counts; French verbs in
-er are expanded to their regular forms first, because Snowball leaves some of them
("signent", "refusent") unstemmed. Phrases and the small grammatical words (plan,
negation, contrast) are matched on folded words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from tracker.normalise import normalise
from tracker.phrases import PhraseIndex
from tracker.stemming import stemmer

LEXICON_FILE = Path(__file__).with_name("lexicon.yaml")
CUE_CLASSES = ("progress", "achieved", "setback", "critique")
MARKER_CLASSES = ("plan", "negation", "contrast")
_FR_ER = ("e", "es", "ent", "é", "ée", "és", "ées", "er", "ons", "ez", "ait", "aient", "ant", "era", "eront")


@dataclass(frozen=True)
class Mark:
    """One lexicon word or phrase found in a sentence, by token position."""

    kind: str  # a cue class or a marker class
    start: int
    end: int
    text: str


def _forms(word: str, language: str) -> list[str]:
    if language == "fr" and word.endswith("er") and " " not in word and len(word) > 4:
        root = word[:-2]
        return [word, *(root + ending for ending in _FR_ER)]
    return [word]


@dataclass
class Lexicon:
    stems: dict[str, dict[str, str]]  # language → stem → class
    phrases: dict[str, PhraseIndex[str]]  # language → index of folded phrases → class
    future_endings: dict[str, tuple[str, ...]]
    breaking: frozenset[str] = frozenset()  # folded cue texts and stems that end a commitment
    weak: dict[str, float] = field(default_factory=dict)  # folded progress cue → the weight it carries

    def marks(self, language: str, folded: list[str], stems: list[str]) -> list[Mark]:
        """Every cue and marker of `language` in one sentence, longest first where they overlap."""
        found: list[Mark] = []
        index = self.phrases.get(language)
        # Most sentences hold no cue: a set test in C before each scan.
        if index is not None and not index.by_first.keys().isdisjoint(folded):
            for start, end, kind in index.scan(folded):
                found.append(Mark(kind, start, end, " ".join(folded[start:end])))
        by_stem = self.stems.get(language, {})
        if not by_stem.keys().isdisjoint(stems):
            for position, stem in enumerate(stems):
                kind = by_stem.get(stem)
                if kind is not None:
                    found.append(Mark(kind, position, position + 1, folded[position]))
        if not found:
            return found
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mark] = []
        covered: dict[str, int] = {}
        for mark in found:
            # One reading per stretch of words and class: "a été créé" once, not also "créé".
            if covered.get(mark.kind, -1) > mark.start:
                continue
            kept.append(mark)
            covered[mark.kind] = mark.end
        return kept

    def breaks(self, language: str, cue: str) -> bool:
        """A setback that ends the commitment ("abandonné", "scrapped"): argues for `broken`."""
        if cue in self.breaking:
            return True
        return " " not in cue and stemmer(language)(cue) in self.breaking

    def weight(self, cue: str) -> float:
        """How much a progress cue says on its own (1 unless the lexicon calls it weak)."""
        return self.weak.get(normalise(cue), 1.0)

    def is_future(self, language: str, word: str) -> bool:
        return any(word.endswith(e) for e in self.future_endings.get(language, ()))


def _entries(entries: dict[str, list[object]], key: str, kind: str, language: str) -> list[str]:
    """The words of one list; YAML reads a bare `no` or `on` as a boolean, which must not pass silently."""
    words = entries.get(key) or []
    for word in words:
        if not isinstance(word, str):
            raise ValueError(
                f"{LEXICON_FILE}: {kind}/{language}/{key}: {word!r} is not a word (quote it: YAML reads "
                "no, yes, on and off as booleans)"
            )
    return [str(w) for w in words]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    stems: dict[str, dict[str, str]] = {}
    phrases: dict[str, PhraseIndex[str]] = {}
    for kind, by_language in data["classes"].items():
        if kind not in CUE_CLASSES + MARKER_CLASSES:
            raise ValueError(f"{LEXICON_FILE}: unknown class {kind!r}")
        for language, entries in by_language.items():
            stem_of = stemmer(language)
            table = stems.setdefault(language, {})
            for word in _entries(entries, "stems", kind, language):
                for form in _forms(word, language):
                    table.setdefault(stem_of(form), kind)
            index = phrases.setdefault(language, PhraseIndex())
            for phrase in _entries(entries, "phrases", kind, language):
                index.add(normalise(phrase).split(), kind)
    endings = {lg: tuple(v or ()) for lg, v in (data.get("future_endings") or {}).items()}
    breaking: set[str] = set()
    for language, entries in (data.get("breaking") or {}).items():
        for entry in entries:
            text = normalise(str(entry))
            breaking.add(text)
            if " " not in text:
                breaking.update(stemmer(language)(form) for form in _forms(str(entry), language))
    weak: dict[str, float] = {}
    for weight, entries in (data.get("weak_progress") or {}).items():
        for entry in entries:
            weak[normalise(str(entry))] = float(weight)
    return Lexicon(stems, phrases, endings, frozenset(breaking), weak)
