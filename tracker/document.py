"""What the matcher reads of a publication: its sentences, words and the terms found in them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tracker.profiles import Term


@dataclass
class Document:
    """A publication as the matcher sees it."""

    title: str
    body: str = ""
    summary: str | None = None
    language: str | None = None
    published_at: datetime | date | None = None
    source_language: str = "fr"
    date_precision: str | None = (
        None  # time, day, month or year: a month-dated page is not "before" a day in it
    )


@dataclass
class Sentence:
    field: str  # title, summary or body
    text: str
    position: int = 0  # order among the summary and body sentences (the lead comes first)
    tokens: list[str] = field(default_factory=list)  # as written
    folded: list[str] = field(default_factory=list)  # lower case, no accents
    stems: list[str] = field(default_factory=list)  # in the publication's language
    ai: bool = False


@dataclass
class Hit:
    term: Term
    field: str
    sentence: int
    start: int = 0
    end: int = 0


@dataclass
class Analysis:
    """One publication read once, for every commitment."""

    document: Document
    language: str
    sentences: list[Sentence]
    hits: list[Hit]
    bm25: dict[str, float]
    ai_context: bool

    def __post_init__(self) -> None:
        self.by_slug: dict[str, list[Hit]] = defaultdict(list)
        self._by_sentence: dict[int, list[Hit]] = defaultdict(list)
        for hit in self.hits:
            self.by_slug[hit.term.slug].append(hit)
            self._by_sentence[hit.sentence].append(hit)
        self._marks: dict[int, list[Any]] = {}
        self.cache: dict[str, Any] = {}  # per-publication values every commitment shares (the tone)

    def marks(self, index: int, lex: Any) -> list[Any]:
        """The lexicon's marks in one sentence, found once for all commitments."""
        found = self._marks.get(index)
        if found is None:
            sentence = self.sentences[index]
            found = lex.marks(self.language, sentence.folded, sentence.stems) if sentence.folded else []
            self._marks[index] = found
        return found

    def strong_counts(self) -> dict[str, int]:
        """How often each commitment is named by an alias or a phrasing: who the text is about."""
        counts: dict[str, int] = defaultdict(int)
        for hit in self.hits:
            if hit.term.strong:
                counts[hit.term.slug] += 1
        return dict(counts)

    def dominant(self, slug: str) -> bool:
        """The text is mostly about `slug` (names and keywords weighed, half again as much as the
        next commitment), so a headline or lead that names nothing is about it too."""
        weights: dict[str, float] = defaultdict(float)
        for hit in self.hits:
            if hit.term.kind != "exclusion":
                weights[hit.term.slug] += hit.term.weight
        if not weights:
            return True
        ranked = sorted(weights.values(), reverse=True)
        mine = weights.get(slug, 0.0)
        return mine >= ranked[0] and (len(ranked) == 1 or mine >= 1.5 * ranked[1])

    def strong_spans(self, sentence: int) -> list[tuple[int, int]]:
        return [(h.start, h.end) for h in self._by_sentence.get(sentence, ()) if h.term.strong]

    def names(self, sentence: int, target: str) -> dict[str, list[tuple[int, int]]]:
        """Who a sentence names: every commitment's strong names, and the target's keywords too."""
        out: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for hit in self._by_sentence.get(sentence, ()):
            if hit.term.kind == "exclusion":
                continue
            if hit.term.strong or (hit.term.slug == target and hit.term.kind == "keyword"):
                out[hit.term.slug].append((hit.start, hit.end))
        return dict(out)
