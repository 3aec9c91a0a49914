"""The numbers the link and signal models read, built from one analysed publication.

One place for both, so the matcher and `tracker train` can never disagree on what a
feature means. Counts are capped: a long speech should not outvote a headline.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from storage.dateprecision import local_day
from tracker.clauses import READINGS, Reading, read_sentence
from tracker.document import Analysis, Hit
from tracker.framing import prospect
from tracker.lexicon import lexicon

ANNOUNCEMENT_DAYS = timedelta(days=14)
SCOPES = ("title", "lead", "body")
LEAD_SENTENCES = 2

LINK_FEATURES = [
    "legacy",
    "alias_title",
    "aliases",
    "alias_hits",
    "phrasings",
    "keywords",
    "keyword_title",
    "proximity",
    "exclusion",
    "ai_context",
    "bm25_rel",
    "bm25_top",
    "bm25",
    "focus",
    "named_commitments",
]
SIGNAL_FEATURES = [
    *(f"{scope}_{reading}" for scope in SCOPES for reading in READINGS),
    "title_named",
    "announcement",
    "background",
    "loose_setback",
    "loose_critique",
    "naming_sentences",
    "focus",
    "first_naming",
    "naming_share",
    "others_named",
    "title_question",
    "tone_setback",
    "tone_critique",
    "tone_progress",
    "tone_plan",
    "days_after",
    "prospect",
]


def _day(published: datetime | date | None) -> date | None:
    """The calendar day where the page was dated: a stored day is Paris midnight in UTC."""
    if isinstance(published, datetime):
        return local_day(published) if published.tzinfo is not None else published.date()
    return published


def _key(day: date, precision: str | None) -> tuple[int, ...]:
    if precision == "year":
        return (day.year,)
    if precision == "month":
        return (day.year, day.month)
    return (day.year, day.month, day.day)


def before(published: datetime | date | None, made_on: date | None, precision: str | None = None) -> bool:
    """Dated before the commitment existed: background. A page dated by a month is before only
    when the whole month is."""
    day = _day(published)
    if day is None or made_on is None:
        return False
    return _key(day, precision) < _key(made_on, precision)


def announcement(
    published: datetime | date | None, made_on: date | None, precision: str | None = None
) -> bool:
    day = _day(published)
    if day is None or made_on is None or before(published, made_on, precision):
        return False
    return _key(day, precision) <= _key(made_on + ANNOUNCEMENT_DAYS, precision)


def link_features(
    analysis: Analysis, slug: str, hits: list[Hit], raw: float, proximity: int
) -> dict[str, float]:
    """How strongly, and how centrally, a publication names one commitment."""
    strong = [h for h in hits if h.term.strong]
    aliases = {h.term.text.lower() for h in hits if h.term.kind == "alias"}
    phrasings = {h.term.text.lower() for h in hits if h.term.kind == "phrasing"}
    keywords = {h.term.text.lower() for h in hits if h.term.kind == "keyword"}
    keyword_title = {h.term.text.lower() for h in hits if h.term.kind == "keyword" and h.field == "title"}
    all_strong: dict[str, int] = defaultdict(int)
    for hit in analysis.hits:
        if hit.term.strong:
            all_strong[hit.term.slug] += 1
    total_strong = sum(all_strong.values())
    best = max(analysis.bm25.values(), default=0.0)
    mine = analysis.bm25.get(slug, 0.0)
    return {
        "legacy": 1.0 - math.exp(-raw) if raw > 0 else 0.0,
        "alias_title": float(any(h.field == "title" for h in strong)),
        "aliases": float(min(len(aliases), 3)),
        "alias_hits": math.log1p(len(strong)),
        "phrasings": float(min(len(phrasings), 3)),
        "keywords": float(min(len(keywords), 6)),
        "keyword_title": float(min(len(keyword_title), 3)),
        "proximity": float(min(proximity, 3)),
        "exclusion": float(any(h.term.kind == "exclusion" for h in hits)),
        "ai_context": float(analysis.ai_context),
        "bm25_rel": mine / best if best else 0.0,
        "bm25_top": float(best > 0 and mine == best),
        "bm25": mine / (mine + 5.0),
        "focus": all_strong.get(slug, 0) / total_strong if total_strong else 0.0,
        "named_commitments": float(min(len(all_strong), 6)),
    }


@dataclass
class SignalReading:
    """Every cue read for one commitment, by part of the text, and the features they make."""

    readings: dict[str, list[Reading]] = field(default_factory=dict)  # scope → readings
    features: dict[str, float] = field(default_factory=dict)
    naming: list[int] = field(default_factory=list)  # sentences that name the commitment
    central: bool = True  # named in the headline or lead, or the text is mostly about it
    question: bool = False  # the headline asks ("C'est quoi Current AI ?"): an explainer
    headline: bool = False  # the headline names it: the text is a report on it
    prospect: str | None = None  # the headline looks ahead ("to visit", "en amont du"): a mention

    def first(self, kinds: tuple[str, ...]) -> Reading | None:
        """The first reading of those kinds, headline first, then the lead, then the body; one in
        a sentence that names the commitment before one in an unnamed headline or lead."""
        for named in (True, False):
            for scope in SCOPES:
                for reading in self.readings.get(scope, []):
                    if reading.reading in kinds and reading.named == named:
                        return reading
        return None


def _naming_sentences(hits: list[Hit], strong: set[int]) -> list[int]:
    """Sentences that speak of the commitment: by a name, or by two of its keywords together (one
    keyword alone, "sécurité de l'IA", is everywhere), or the headline by one; by any keyword when
    it is never named."""
    keywords: dict[int, set[str]] = defaultdict(set)
    headline: set[int] = set()
    for hit in hits:
        if hit.term.kind == "keyword":
            keywords[hit.sentence].add(hit.term.text.lower())
            if hit.field == "title":
                headline.add(hit.sentence)
    if not strong:
        return sorted(keywords)
    return sorted(strong | headline | {i for i, found in keywords.items() if len(found) > 1})


def _scope_of(analysis: Analysis, index: int) -> str:
    sentence = analysis.sentences[index]
    if sentence.field == "title":
        return "title"
    return "lead" if sentence.position < LEAD_SENTENCES else "body"


def read_signal(analysis: Analysis, slug: str, made_on: date | None) -> SignalReading:
    """Read each sentence that speaks of `slug`: its title, its lead, the sentences naming it."""
    lex = lexicon()
    language = analysis.language
    hits = analysis.by_slug.get(slug, [])
    strong_sentences = {h.sentence for h in hits if h.term.strong}
    naming = _naming_sentences(hits, strong_sentences)
    chosen: dict[int, bool] = {}  # sentence → whether it names the commitment itself
    for index in naming:
        chosen[index] = True
    # A headline or lead that names nothing speaks of what the whole text is about: only the
    # commitment the text names most takes its cues ("US and UK absent" is the statement's news).
    dominant = analysis.dominant(slug)
    for index, sentence in enumerate(analysis.sentences):
        if index in chosen:
            continue
        others = analysis.names(index, slug)
        if others:
            continue  # it names something else and not this commitment
        follows = index - 1 in strong_sentences and sentence.field != "title"
        headline = sentence.field == "title" or sentence.position < LEAD_SENTENCES
        if follows or (headline and dominant):
            chosen[index] = False
    lead_named = any(
        analysis.sentences[i].field != "title" and analysis.sentences[i].position < LEAD_SENTENCES
        for i in naming
    )
    title_named = any(analysis.sentences[i].field == "title" for i in naming)
    result = SignalReading(
        naming=naming,
        central=title_named or lead_named or dominant,
        headline=title_named,
        question=bool(analysis.sentences) and analysis.sentences[0].text.rstrip().endswith("?"),
    )
    if result.central:
        result.prospect = prospect(analysis.document.title or "")
    loose_setback = loose_critique = 0
    published = _day(analysis.document.published_at)
    if analysis.document.date_precision == "year":
        published = None  # a year alone tells neither what is ahead nor what is long past
    for index, named in sorted(chosen.items()):
        sentence = analysis.sentences[index]
        names = analysis.names(index, slug) if named else {}
        if not named:
            names = {slug: [(0, len(sentence.folded))]}
        read = read_sentence(
            lex,
            language,
            index,
            sentence.text,
            sentence.folded,
            sentence.stems,
            sentence.tokens,
            names,
            analysis.strong_spans(index),
            analysis.marks(index, lex),
            published,
        )
        mine = read.get(slug, [])
        if not named:
            mine = [dataclasses.replace(r, named=False) for r in mine]
        scope = _scope_of(analysis, index)
        if not named and scope == "body":
            loose_setback += sum(r.reading in ("setback", "negated_progress") for r in mine)
            loose_critique += sum(r.reading == "critique" for r in mine)
        result.readings.setdefault(scope, []).extend(mine)
    features: dict[str, float] = dict.fromkeys(SIGNAL_FEATURES, 0.0)
    for scope, readings in result.readings.items():
        for reading in readings:
            key = f"{scope}_{reading.reading}"
            features[key] = min(features[key] + 1.0, 3.0)
    features["title_named"] = float(title_named)
    doc = analysis.document
    features["announcement"] = float(announcement(doc.published_at, made_on, doc.date_precision))
    features["background"] = float(before(doc.published_at, made_on, doc.date_precision))
    features["loose_setback"] = float(min(loose_setback, 3))
    features["loose_critique"] = float(min(loose_critique, 3))
    features["naming_sentences"] = math.log1p(len(naming))
    features.update(_centrality(analysis, slug, naming))
    features.update(_tone(analysis, lex))
    features["days_after"] = _days_after(doc, made_on)
    features["prospect"] = float(result.prospect is not None)
    result.features = features
    return result


def _centrality(analysis: Analysis, slug: str, naming: list[int]) -> dict[str, float]:
    """Is the text about this commitment, or does it name it in passing?"""
    strong: dict[str, int] = defaultdict(int)
    for hit in analysis.hits:
        if hit.term.strong:
            strong[hit.term.slug] += 1
    total = sum(strong.values())
    body = [i for i, s in enumerate(analysis.sentences) if s.field != "title"]
    first = next((n for n, i in enumerate(body) if i in naming), len(body))
    return {
        "focus": strong.get(slug, 0) / total if total else 0.0,
        "first_naming": min(first, 10) / 10.0,
        "naming_share": len([i for i in naming if i in body]) / len(body) if body else 0.0,
        "others_named": float(min(len([s for s in strong if s != slug]), 5)),
        "title_question": float(
            bool(analysis.sentences) and analysis.sentences[0].text.rstrip().endswith("?")
        ),
    }


def _tone(analysis: Analysis, lex: Any) -> dict[str, float]:
    """The share of sentences that carry each kind of cue, whoever they are about: the text's tone."""
    cached = analysis.cache.get("tone")
    if cached is not None:
        return cached
    counts = dict.fromkeys(("setback", "critique", "progress", "plan"), 0)
    indexes = [i for i, s in enumerate(analysis.sentences) if s.folded]
    for index in indexes:
        kinds = {m.kind for m in analysis.marks(index, lex)}
        for kind in counts:
            counts[kind] += kind in kinds or (kind == "progress" and "achieved" in kinds)
    n = max(len(indexes), 1)
    tone = {f"tone_{kind}": count / n for kind, count in counts.items()}
    analysis.cache["tone"] = tone
    return tone


def _days_after(doc: Any, made_on: date | None) -> float:
    day = _day(doc.published_at)
    if day is None or made_on is None:
        return 0.0
    return math.log1p(max((day - made_on).days, 0)) / math.log1p(730)


SETBACK_READINGS = ("setback", "negated_progress")
POSITIVE_READINGS = ("achieved", "progress")
PLAN_READINGS = ("planned_progress", "planned_setback")
RECOUNTED_READINGS = ("recounted_progress",)


# How the clause rules weigh what they read (../shared/labelling.md: the headline and lead say
# what a text reports; a cue in a sentence that does not name the commitment counts for less).
SCOPE_WEIGHT = {"title": 2.0, "lead": 1.5, "body": 1.0}
UNNAMED_WEIGHT = 0.5
SETBACK_WEIGHT = 1.5  # a refusal or a delay is the news even beside the words of the launch it spoils
CRITIQUE_WEIGHT = 0.7  # a judgement against it ("hémiplégique", "bilan contrasté") leans setback
PLAN_WEIGHT = 1.0
RECOUNT_WEIGHT = 1.0  # a step told with a date long past is background (tracker/recount.py)
QUIET = 0.5  # below this, nothing was read: a text about the commitment reports it, else names it
PASSING = 1.0  # a commitment named only in passing, in a text about something else, leans mention
QUESTION = 1.5  # a headline that asks is an explainer
PROSPECT = 2.5  # a headline written before the event outweighs the programme's words in its lead


def weigh_signal(reading: SignalReading) -> dict[str, float]:
    """Each class's weight from every cue read: headline over lead over body, named over unnamed."""
    lex = lexicon()
    weights = dict.fromkeys(("pos", "setback", "mention"), 0.0)
    for scope, readings in reading.readings.items():
        for r in readings:
            w = SCOPE_WEIGHT[scope] * (1.0 if r.named else UNNAMED_WEIGHT)
            if r.reading in POSITIVE_READINGS:
                weights["pos"] += w * lex.weight(r.cue)
            elif r.reading in SETBACK_READINGS:
                weights["setback"] += w * SETBACK_WEIGHT
            elif r.reading == "critique":
                weights["setback"] += w * CRITIQUE_WEIGHT
            elif r.reading in PLAN_READINGS:
                weights["mention"] += w * PLAN_WEIGHT
            elif r.reading in RECOUNTED_READINGS:
                weights["mention"] += w * RECOUNT_WEIGHT
    if reading.question:
        weights["mention"] += QUESTION
    if reading.prospect:
        weights["mention"] += PROSPECT
    if not reading.central:
        weights["mention"] += PASSING
    return weights


def rule_signal(reading: SignalReading) -> str:
    """Without a trained model: the class the weighed cues argue for; a setback wins a tie.

    When nothing was read, a text whose headline names the commitment reports it as it stands
    (progress: the thing exists, "Déclaration de New Delhi" published); otherwise it only
    mentions it.
    """
    weights = weigh_signal(reading)
    cues = max(weights["pos"], weights["setback"], weights["mention"] - PASSING * (not reading.central))
    if cues < QUIET and not reading.question and not reading.prospect:
        return "pos" if reading.headline else "mention"
    return max(weights, key=lambda c: (weights[c], c == "setback"))
