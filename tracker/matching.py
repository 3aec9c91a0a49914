"""Scoring a publication against every commitment profile.

A score per (publication, commitment) from alias hits (strong), distinct keywords
(weak, more in the title than in the body) and proximity (several terms in one
sentence), minus exclusions; squashed into [0, 1) with 1 - e^-raw. A link needs
the score above the threshold and, without an alias, a text that speaks of AI at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker.language import LANGUAGES, publication_language
from tracker.normalise import fold_word, sentences, words
from tracker.phrases import PhraseIndex
from tracker.profiles import Profile, Term
from tracker.signals import Cue, cues_in, strongest
from tracker.stemming import stemmer

DEFAULT_THRESHOLD = 0.6
FIELD_WEIGHTS = {"title": 2.0, "summary": 1.5, "body": 1.0}
PROXIMITY_BONUS = 0.15
PROXIMITY_CAP = 0.45
REPEAT_BONUS = 0.1  # per further occurrence of a keyword, at most three
EXCERPT_LIMIT = 420
ANNOUNCEMENT_DAYS = timedelta(days=14)
# Without an alias, keywords count only in a text that speaks of AI ("sécurité" alone is everywhere).
AI_TERMS = (("ia",), ("ai",), ("intelligence", "artificielle"), ("artificial", "intelligence"), ("ias",))


@dataclass
class Document:
    """What the matcher reads of a publication."""

    title: str
    body: str = ""
    summary: str | None = None
    language: str | None = None
    published_at: datetime | date | None = None
    source_language: str = "fr"


@dataclass
class Sentence:
    field: str
    text: str
    folded: list[str]
    ai: bool = False


@dataclass
class Hit:
    term: Term
    field: str
    sentence: int
    start: int = 0
    end: int = 0


@dataclass
class TermCount:
    """One term that counted, where, how often and for how much."""

    term: str
    kind: str
    field: str
    count: int
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "kind": self.kind,
            "field": self.field,
            "count": self.count,
            "weight": round(self.weight, 3),
        }


@dataclass
class Link:
    """The matcher's verdict on one commitment for one publication, with its reasons."""

    slug: str
    score: float
    raw: float
    linked: bool
    signal: str
    cue: Cue | None
    excerpt: str
    sentence: str
    background: bool
    terms: list[TermCount] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    proximity: int = 0
    ai_context: bool = True
    language: str = "fr"

    @property
    def matched_terms(self) -> list[str]:
        seen: list[str] = []
        for t in self.terms:
            if t.kind != "exclusion" and t.term not in seen:
                seen.append(t.term)
        return seen

    def explanation(self, threshold: float) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "raw": round(self.raw, 4),
            "threshold": threshold,
            "language": self.language,
            "terms": [t.as_dict() for t in self.terms],
            "exclusions": self.exclusions,
            "proximity": self.proximity,
            "ai_context": self.ai_context,
            "sentence": self.sentence,
            "cue": self.cue.text if self.cue else None,
            "cue_signal": self.cue.signal if self.cue else None,
            "signal": self.signal,
            "background": self.background,
        }


class Matcher:
    """Compiled profiles: build once, match many publications."""

    def __init__(self, profiles: Iterable[Profile], threshold: float | None = None) -> None:
        self.profiles = {p.slug: p for p in profiles}
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        # Per language of the text: the terms to look for in its stems. Aliases and exclusions are
        # looked for whatever the language; keywords only in their own.
        self.indexes: dict[str, PhraseIndex[Term]] = {language: PhraseIndex() for language in LANGUAGES}
        for profile in self.profiles.values():
            for term in profile.terms:
                for language in LANGUAGES:
                    if term.kind != "keyword" or term.language == language:
                        self.indexes[language].add(term.stems(language), term)
        self.ai_index: PhraseIndex[bool] = PhraseIndex()
        for phrase in AI_TERMS:
            self.ai_index.add(phrase, True)

    # --- reading ------------------------------------------------------------------

    def _sentences(self, doc: Document) -> list[Sentence]:
        out: list[Sentence] = []
        for name, text in (("title", doc.title), ("summary", doc.summary), ("body", doc.body)):
            if not text:
                continue
            pieces = [text.strip()] if name == "title" else sentences(text)
            out.extend(Sentence(name, piece, []) for piece in pieces)
        return out

    def hits(self, doc: Document) -> tuple[str, list[Sentence], list[Hit]]:
        language = publication_language(
            doc.language, f"{doc.title}\n{doc.summary or ''}\n{doc.body[:5000]}", doc.source_language
        )
        other = [lg for lg in LANGUAGES if lg != language]
        found: list[Hit] = []
        parts = self._sentences(doc)
        for index, sentence in enumerate(parts):
            tokens = words(sentence.text)
            if not tokens:
                continue
            sentence.folded = [fold_word(t) for t in tokens]
            sentence.ai = any(True for _ in self.ai_index.scan(sentence.folded))
            for lg in (language, *other):
                stems = stemmer(lg).many(tokens)
                for start, end, term in self.indexes[lg].scan(stems):
                    if lg != language and term.kind == "keyword":
                        continue
                    if term.same_case(tuple(tokens[start:end])):
                        found.append(Hit(term, sentence.field, index, start, end))
        return language, parts, found

    # --- deciding -----------------------------------------------------------------

    def match(self, doc: Document, only: Iterable[str] | None = None) -> list[Link]:
        """Every commitment the text speaks of enough to link (or, with `only`, those asked)."""
        language, parts, found = self.hits(doc)
        by_slug: dict[str, list[Hit]] = defaultdict(list)
        for hit in found:
            by_slug[hit.term.slug].append(hit)
        ai_context = any(s.ai for s in parts)
        wanted = set(only) if only is not None else None
        links = []
        for slug, hits in by_slug.items():
            if wanted is not None and slug not in wanted:
                continue
            link = self._decide(self.profiles[slug], hits, parts, language, ai_context, doc)
            if link.linked or wanted is not None:
                links.append(link)
        if wanted is not None:
            for slug in wanted - set(by_slug):
                if slug in self.profiles:
                    links.append(self._decide(self.profiles[slug], [], parts, language, ai_context, doc))
        links.sort(key=lambda link: -link.score)
        return links

    def _decide(
        self,
        profile: Profile,
        hits: list[Hit],
        parts: list[Sentence],
        language: str,
        ai_context: bool,
        doc: Document,
    ) -> Link:
        hits = _without_excluded(hits)
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        terms_by_key: dict[tuple[str, str, str], Term] = {}
        for hit in hits:
            key = (hit.term.kind, hit.term.text.lower(), hit.field)
            counts[key] += 1
            terms_by_key[key] = hit.term

        # Each distinct term counts once, at its best field; repeats add a little.
        best: dict[tuple[str, str], tuple[float, TermCount]] = {}
        total_counts: dict[tuple[str, str], int] = defaultdict(int)
        for (kind, text, where), count in counts.items():
            term = terms_by_key[(kind, text, where)]
            total_counts[(kind, text)] += count
            weight = term.weight * (FIELD_WEIGHTS[where] if kind != "exclusion" else 1.0)
            current = best.get((kind, text))
            if current is None or abs(weight) > abs(current[0]):
                best[(kind, text)] = (weight, TermCount(term.text, kind, where, count, weight))
        raw = 0.0
        counted: list[TermCount] = []
        exclusions: list[str] = []
        for key, (weight, tc) in best.items():
            repeats = min(total_counts[key] - 1, 3)
            if tc.kind == "exclusion":
                exclusions.append(tc.term)
                raw += weight
            else:
                weight = weight + (REPEAT_BONUS * repeats if tc.kind == "keyword" else 0.0)
                tc.weight = weight
                raw += weight
            counted.append(tc)

        # Proximity: sentences where two different terms of this commitment meet.
        per_sentence: dict[int, set[str]] = defaultdict(set)
        for hit in hits:
            if hit.term.kind != "exclusion":
                per_sentence[hit.sentence].add(hit.term.text.lower())
        proximity = sum(1 for terms in per_sentence.values() if len(terms) > 1)
        raw += min(PROXIMITY_BONUS * proximity, PROXIMITY_CAP)

        score = 1.0 - math.exp(-raw) if raw > 0 else 0.0
        linked = score >= self.threshold and ai_context

        background = _before(doc.published_at, profile.made_on)
        cue, sentence_index = self._signal(hits, parts, language)
        signal = "mention" if background or cue is None else cue.signal
        if signal == "progress" and _announcement(doc.published_at, profile.made_on):
            signal = "mention"  # the days of the announcement report the commitment, not its follow-up
        sentence, excerpt = self._excerpt(hits, parts, sentence_index)
        counted.sort(key=lambda t: (-abs(t.weight), t.term))
        return Link(
            slug=profile.slug,
            score=score,
            raw=raw,
            linked=linked,
            signal=signal,
            cue=None if background else cue,
            excerpt=excerpt,
            sentence=sentence,
            background=background,
            terms=counted,
            exclusions=exclusions,
            proximity=proximity,
            ai_context=ai_context,
            language=language,
        )

    def _signal(self, hits: list[Hit], parts: list[Sentence], language: str) -> tuple[Cue | None, int | None]:
        """The strongest cue in the sentences that speak of the commitment.

        Those are the sentences naming it (an alias), the one right after such a
        sentence ("Cet institut n'est toutefois adossé à aucun financement propre"),
        and sentences where two of its keywords meet; with no alias at all, any
        sentence holding one of its keywords.
        """
        alias = {h.sentence for h in hits if h.term.kind == "alias"}
        keywords: dict[int, set[str]] = defaultdict(set)
        for h in hits:
            if h.term.kind == "keyword":
                keywords[h.sentence].add(h.term.text.lower())
        if alias:
            chosen = alias | {i for i, k in keywords.items() if len(k) > 1 or i - 1 in alias}
        else:
            chosen = set(keywords)
        found: list[tuple[Cue, int]] = []
        for index in sorted(chosen):
            for cue in cues_in(parts[index].folded):
                if cue.language == language:
                    found.append((cue, index))
        best = strongest([cue for cue, _ in found])
        if best is None:
            return None, None
        return best, next(i for c, i in found if c is best)

    def _excerpt(self, hits: list[Hit], parts: list[Sentence], cue_sentence: int | None) -> tuple[str, str]:
        """The sentence that set the signal (or the richest one), and its neighbour if room remains."""
        weights: dict[int, float] = defaultdict(float)
        for hit in hits:
            if hit.term.kind != "exclusion" and parts[hit.sentence].field != "title":
                weights[hit.sentence] += hit.term.weight
        if not weights:
            return (parts[0].text if parts else ""), ""
        ranked = sorted(weights, key=lambda i: (-weights[i], i))
        first = (
            cue_sentence if cue_sentence is not None and parts[cue_sentence].field != "title" else ranked[0]
        )
        chosen = [first]
        for index in ranked:
            if index != first and len(parts[first].text) + len(parts[index].text) < EXCERPT_LIMIT:
                chosen.append(index)
                break
        excerpt = " ".join(parts[i].text for i in sorted(chosen))
        if len(excerpt) > EXCERPT_LIMIT:
            excerpt = excerpt[: EXCERPT_LIMIT - 1].rsplit(" ", 1)[0] + "…"
        return parts[first].text, excerpt


def _without_excluded(hits: list[Hit]) -> list[Hit]:
    """Drop name and keyword hits inside an exclusion ("Current AI" in "current AI systems")."""
    spans = [(h.sentence, h.start, h.end) for h in hits if h.term.kind == "exclusion"]
    if not spans:
        return hits
    return [
        h
        for h in hits
        if h.term.kind == "exclusion"
        or not any(s == h.sentence and start <= h.start and h.end <= end for s, start, end in spans)
    ]


def _day(published: datetime | date | None) -> date | None:
    return published.date() if isinstance(published, datetime) else published


def _announcement(published: datetime | date | None, made_on: date | None) -> bool:
    day = _day(published)
    return day is not None and made_on is not None and made_on <= day <= made_on + ANNOUNCEMENT_DAYS


def _before(published: datetime | date | None, made_on: date | None) -> bool:
    day = _day(published)
    return day is not None and made_on is not None and day < made_on
