"""Linking a publication to the commitments it reports on, and reading what it says of each.

Reading: the text is cut into sentences; names, press phrasings, keywords and
exclusions are found on stems; a BM25 ranking over the commitment profiles says which
commitments the text reads like. Deciding: a small logistic model over those numbers
gives each candidate commitment a link probability (calibrated on real labelled
publications, see `tracker train`); the signal is read from the clauses that name the
commitment (tracker.clauses) and weighed by a second model. Without model files, the
older additive score and ordered rules decide. Every verdict keeps its reasons.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.document import Analysis, Document, Hit, Sentence
from tracker.excerpts import quotable
from tracker.features import (
    POSITIVE_READINGS,
    SETBACK_READINGS,
    SignalReading,
    before,
    link_features,
    read_signal,
    rule_signal,
)
from tracker.language import BASE_LANGUAGES, LANGUAGES, publication_language
from tracker.lexicon import lexicon
from tracker.model import Models, load_models
from tracker.normalise import fold_words, normalise, prepare, sentences, words
from tracker.phrases import PhraseIndex
from tracker.profiles import Profile, Term
from tracker.ranking import ProfileRanker, ProfileText
from tracker.stemming import stemmer

__all__ = ["DEFAULT_THRESHOLD", "Document", "Link", "Matcher", "TermCount", "with_models"]

DEFAULT_THRESHOLD = 0.6  # for the additive score, when no link model is shipped
FIELD_WEIGHTS = {"title": 2.0, "summary": 1.5, "body": 1.0}
PROXIMITY_BONUS = 0.15
PROXIMITY_CAP = 0.45
REPEAT_BONUS = 0.1  # per further occurrence of a keyword, at most three
BM25_CANDIDATES = 2  # commitments a text reads most like are candidates even without a name
# A text must speak of AI for keywords alone to link ("sécurité" is everywhere); names link anyway.
AI_TERMS = (
    ("ia",),
    ("ai",),
    ("ias",),
    ("intelligence", "artificielle"),
    ("artificial", "intelligence"),
    ("ki",),
    ("kunstig", "intelligens"),
    ("kunstliche", "intelligenz"),
    ("inteligencia", "artificial"),
    ("intelligenza", "artificiale"),
    ("kunstmatige", "intelligentie"),
)


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
    cue: Any | None  # tracker.clauses.Reading
    excerpt: str
    sentence: str
    background: bool
    terms: list[TermCount] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    proximity: int = 0
    ai_context: bool = True
    spoken_of: bool = True  # named, or described by enough of its keywords (`_spoken_of`)
    language: str = "fr"
    link_features: dict[str, float] = field(default_factory=dict)
    link_parts: list[tuple[str, float]] = field(default_factory=list)
    signal_reading: SignalReading | None = None
    signal_probabilities: dict[str, float] = field(default_factory=dict)
    signal_parts: list[tuple[str, float]] = field(default_factory=list)
    decided_by: str = "rules"
    breaks: bool = False  # a setback that ends the commitment ("abandonné"): argues for `broken`

    @property
    def matched_terms(self) -> list[str]:
        seen: list[str] = []
        for t in self.terms:
            if t.kind != "exclusion" and t.term not in seen:
                seen.append(t.term)
        return seen

    def why(self) -> str:
        """One line a person can check: the cue, how it was read, and the link's score."""
        cue = self.cue.describe() if self.cue is not None else "no cue"
        return f"{self.signal} from {cue}; score {self.score:.2f}"

    def explanation(self, threshold: float) -> dict[str, Any]:
        readings = self.signal_reading.readings if self.signal_reading else {}
        return {
            "score": round(self.score, 4),
            "raw": round(self.raw, 4),
            "threshold": threshold,
            "language": self.language,
            "terms": [t.as_dict() for t in self.terms],
            "exclusions": self.exclusions,
            "proximity": self.proximity,
            "ai_context": self.ai_context,
            "spoken_of": self.spoken_of,
            "sentence": self.sentence,
            "cue": self.cue.cue if self.cue else None,
            "cue_signal": self.cue.reading if self.cue else None,
            "cue_modifier": self.cue.modifier if self.cue else None,
            "signal": self.signal,
            "background": self.background,
            "decided_by": self.decided_by,
            "prospect": self.signal_reading.prospect if self.signal_reading else None,
            "link_parts": [[name, round(value, 3)] for name, value in self.link_parts[:6]],
            "signal_probabilities": {k: round(v, 3) for k, v in self.signal_probabilities.items()},
            "signal_parts": [[name, round(value, 3)] for name, value in self.signal_parts[:6]],
            "clauses": {
                scope: [
                    {"reading": r.reading, "cue": r.cue, "modifier": r.modifier, "sentence": r.sentence}
                    for r in found
                ]
                for scope, found in readings.items()
            },
        }


class Matcher:
    """Compiled profiles and models: build once, match many publications."""

    def __init__(
        self, profiles: Iterable[Profile], threshold: float | None = None, models: Models | None = None
    ) -> None:
        self.profiles = {p.slug: p for p in profiles}
        self.models = load_models() if models is None else models
        if threshold is not None:
            self.threshold = threshold
        elif self.models.link is not None and self.models.link.threshold is not None:
            self.threshold = self.models.link.threshold
        else:
            self.threshold = DEFAULT_THRESHOLD
        # Two passes over each sentence. On folded words (case and accents only): every alias and
        # exclusion, whatever its language, and the words that say a text speaks of AI. On the stems
        # of the text's own language: its keywords and phrasings, and the aliases again, inflected.
        self.names_index: PhraseIndex[Term | None] = PhraseIndex()
        self.indexes: dict[str, PhraseIndex[Term]] = {language: PhraseIndex() for language in LANGUAGES}
        for profile in self.profiles.values():
            for term in profile.terms:
                if term.kind in ("alias", "exclusion") or (
                    term.kind == "phrasing" and term.language not in BASE_LANGUAGES
                ):
                    # Names, and the press's phrasings in other languages, count whatever language the
                    # text was taken for: a short Spanish text may read as French.
                    self.names_index.add(normalise(term.text).split(), term)
                for language in LANGUAGES:
                    if term.kind in ("alias", "exclusion") or term.language == language:
                        self.indexes[language].add(term.stems(language), term)
        for phrase in AI_TERMS:
            self.names_index.add(phrase, None)
        self.ranker = ProfileRanker([_profile_text(p) for p in self.profiles.values()])
        lexicon()  # compiled once, before the first publication

    # --- reading ------------------------------------------------------------------

    def analyse(self, doc: Document) -> Analysis:
        language = publication_language(
            doc.language, f"{doc.title}\n{doc.summary or ''}\n{doc.body[:5000]}", doc.source_language
        )
        parts: list[Sentence] = []
        position = 0
        found: list[Hit] = []
        query: list[str] = []
        stem_many = stemmer(language).many
        names_index, names_first = self.names_index, self.names_index.by_first.keys()
        own_index = self.indexes[language]
        own_first = own_index.by_first.keys()
        for name, raw in (("title", doc.title), ("summary", doc.summary), ("body", doc.body)):
            if not raw:
                continue
            text = prepare(raw)
            for piece in [text.strip()] if name == "title" else sentences(text):
                tokens = words(piece)
                if not tokens:
                    parts.append(Sentence(name, piece, position if name != "title" else 0))
                    position += name != "title"
                    continue
                index = len(parts)
                folded = fold_words(tokens)
                stems = stem_many(tokens)
                sentence = Sentence(name, piece, position if name != "title" else 0, tokens, folded, stems)
                parts.append(sentence)
                position += name != "title"
                query.extend(stems)
                # Most sentences hold no term at all: one set test in C before any scan.
                if not names_first.isdisjoint(folded):
                    for start, end, term in names_index.scan(folded):
                        if term is None:
                            sentence.ai = True
                        elif term.same_case(tuple(tokens[start:end])):
                            found.append(Hit(term, name, index, start, end))
                if not own_first.isdisjoint(stems):
                    for start, end, term in own_index.scan(stems):
                        if term.same_case(tuple(tokens[start:end])):
                            found.append(Hit(term, name, index, start, end))
        found = _without_excluded(_first_language_only(found))
        return Analysis(
            document=doc,
            language=language,
            sentences=parts,
            hits=found,
            bm25=self.ranker.scores(query, language),
            ai_context=any(s.ai for s in parts),
        )

    # --- deciding -----------------------------------------------------------------

    def match(self, doc: Document, only: Iterable[str] | None = None) -> list[Link]:
        """Every commitment the text reports on (or, with `only`, those asked, linked or not)."""
        analysis = self.analyse(doc)
        wanted = set(only) if only is not None else None
        candidates = set(analysis.by_slug)
        ranked = sorted(analysis.bm25, key=lambda s: -analysis.bm25[s])[:BM25_CANDIDATES]
        if self.models.link is not None:
            candidates.update(ranked)
        if wanted is not None:
            candidates = (candidates & wanted) | {s for s in wanted if s in self.profiles}
        links = []
        for slug in candidates:
            link = self._decide(self.profiles[slug], analysis, read=wanted is not None)
            if link is not None:
                links.append(link)
        links.sort(key=lambda link: -link.score)
        return links

    def _decide(self, profile: Profile, analysis: Analysis, read: bool = False) -> Link | None:
        """The verdict on one commitment; None when it does not link and `read` was not asked."""
        hits = analysis.by_slug.get(profile.slug, [])
        if not hits and not read:
            return None  # a text that never names it cannot link to it, however alike it reads
        spoken_of = _spoken_of(hits)
        eligible = bool(hits) and spoken_of and (analysis.ai_context or _named(analysis, hits))
        if not eligible and not read:
            return None  # whatever its score, it cannot link: no need to compute it
        raw, counted, exclusions, proximity = _additive(hits)
        features = link_features(analysis, profile.slug, hits, raw, proximity)
        link_parts: list[tuple[str, float]] = []
        if self.models.link is not None:
            score = self.models.link.probabilities(features)[self.models.link.classes[1]]
        else:
            score = 1.0 - math.exp(-raw) if raw > 0 else 0.0
        linked = eligible and score >= self.threshold
        if not linked and not read:
            return None
        if self.models.link is not None:
            link_parts = self.models.link.contributions(features, self.models.link.classes[1])
        doc = analysis.document
        background = before(doc.published_at, profile.made_on, doc.date_precision)
        reading = read_signal(analysis, profile.slug, profile.made_on)
        signal, probabilities, parts, decided_by = self._signal(reading, background)
        cue = _cue_for(signal, reading)
        breaks = signal == "setback" and cue is not None and lexicon().breaks(analysis.language, cue.cue)
        sentence, excerpt = quotable(analysis, hits, cue)
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
            ai_context=analysis.ai_context,
            spoken_of=spoken_of,
            language=analysis.language,
            link_features=features,
            link_parts=link_parts,
            signal_reading=reading,
            signal_probabilities=probabilities,
            signal_parts=parts,
            decided_by=decided_by,
            breaks=breaks,
        )

    def _signal(
        self, reading: SignalReading, background: bool
    ) -> tuple[str, dict[str, float], list[tuple[str, float]], str]:
        if background:
            return "mention", {}, [], "background"
        model = self.models.signal
        if model is None:
            cls = rule_signal(reading)
            probabilities: dict[str, float] = {}
            parts: list[tuple[str, float]] = []
        else:
            probabilities = model.probabilities(reading.features)
            cls = max(probabilities, key=lambda c: probabilities[c])
            parts = model.contributions(reading.features, cls)
        if cls == "setback":
            return "setback", probabilities, parts, "model" if model else "rules"
        if cls == "pos":
            achieved = reading.first(("achieved",)) is not None
            return (
                ("achieved" if achieved else "progress"),
                probabilities,
                parts,
                "model" if model else "rules",
            )
        return "mention", probabilities, parts, "model" if model else "rules"


def with_models(matcher: Matcher, models: Models, threshold: float | None = None) -> Matcher:
    """The same compiled profiles with other models (cross-validation trains one pair per fold)."""
    other = copy.copy(matcher)
    other.models = models
    if threshold is not None:
        other.threshold = threshold
    elif models.link is not None and models.link.threshold is not None:
        other.threshold = models.link.threshold
    else:
        other.threshold = DEFAULT_THRESHOLD
    return other


def _profile_text(profile: Profile) -> ProfileText:
    texts: dict[str, list[str]] = {}
    for language in BASE_LANGUAGES:
        own = [
            t.text
            for t in profile.terms
            if t.kind != "exclusion" and (t.kind == "alias" or t.language == language)
        ]
        texts[language] = profile.texts.get(language, []) + own
    return ProfileText(profile.slug, texts)


def _cue_for(signal: str, reading: SignalReading) -> Any | None:
    if signal == "setback":
        return reading.first(SETBACK_READINGS) or reading.first(("critique",))
    if signal in ("progress", "achieved"):
        return reading.first(("achieved",)) if signal == "achieved" else reading.first(POSITIVE_READINGS)
    return reading.first(("planned_progress", "planned_setback", "recounted_progress"))


def _additive(hits: list[Hit]) -> tuple[float, list[TermCount], list[str], int]:
    """The older score: names strong, distinct keywords weak (more in the title), proximity, exclusions."""
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    terms_by_key: dict[tuple[str, str, str], Term] = {}
    for hit in hits:
        key = (hit.term.kind, hit.term.text.lower(), hit.field)
        counts[key] += 1
        terms_by_key[key] = hit.term
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
        elif tc.kind == "keyword":
            weight += REPEAT_BONUS * repeats
            tc.weight = weight
        raw += weight
        counted.append(tc)
    per_sentence: dict[int, set[str]] = defaultdict(set)
    for hit in hits:
        if hit.term.kind != "exclusion":
            per_sentence[hit.sentence].add(hit.term.text.lower())
    proximity = sum(1 for terms in per_sentence.values() if len(terms) > 1)
    raw += min(PROXIMITY_BONUS * proximity, PROXIMITY_CAP)
    return raw, counted, exclusions, proximity


KEYWORDS_WITHOUT_NAME = 3  # distinct keywords a text must use to link a commitment it never names


def _spoken_of(hits: list[Hit]) -> bool:
    """A name or a press phrasing, or enough of its keywords to be about it: two keywords in the
    body ("Agence internationale de l'énergie", "centres de données") are a neighbouring topic
    (labelling.md), three, or one in the headline, are the commitment described."""
    if any(h.term.strong for h in hits):
        return True
    keywords = {h.term.text.lower() for h in hits if h.term.kind == "keyword"}
    in_title = any(h.term.kind == "keyword" and h.field == "title" for h in hits)
    return in_title or len(keywords) >= KEYWORDS_WITHOUT_NAME


def _named(analysis: Analysis, hits: list[Hit]) -> bool:
    """Named beyond doubt, so a text that never speaks of AI may still link: a name of several
    words, or a one-word name written as the name is ("ROOST"), not as a word of the language
    ("Where do Bats Roost?")."""
    for hit in hits:
        if hit.term.kind != "alias":
            continue
        if hit.end - hit.start > 1:
            return True
        written = analysis.sentences[hit.sentence].tokens[hit.start]
        if written == hit.term.text or (len(written) > 1 and written.isupper()):
            return True
    return False


def _first_language_only(hits: list[Hit]) -> list[Hit]:
    """An alias found both as written and through the stemmer is one hit, not two."""
    seen: set[tuple[int, int, int, str]] = set()
    out = []
    for hit in hits:
        key = (hit.sentence, hit.start, hit.end, hit.term.text)
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


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
