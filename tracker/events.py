"""Events: the same happening reported by several publications, grouped into one item.

A report is what grouping reads of a publication: the commitments the tracker linked it to
(with their signal), its date, and the facts that travel across languages and outlets —
proper names, numbers and quoted words — plus its title and lead. Two reports are scored by
a small logistic model over pair features (`pair_features`), trained on the real corpus's
`story` keys (`summitwatch tracker train`). Grouping is incremental and deterministic: in
order of publication, each report joins the event it reads most like (average link over the
event's members) when that is above the threshold, or opens one. Events a reviewer confirmed
are kept whole.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from babel import Locale
from rapidfuzz import fuzz

from tracker.model import LinearModel
from tracker.normalise import fold_word, prepare, sentences, words

LEAD_CHARS = 1200
# Numbers as the press writes them: "27", "109", "1,5", "2.5"; a unit or scale word is not kept.
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")
QUOTED = re.compile(r"[«“\"]\s*([^«»“”\"]{8,160}?)\s*[»”\"]")
# Capitalised words that start sentences or headlines in any language and name nothing.
GENERIC_NAMES = frozenset(
    fold_word(w)
    for w in [
        "Le",
        "La",
        "Les",
        "L",
        "Un",
        "Une",
        "Des",
        "De",
        "Du",
        "Et",
        "En",
        "Au",
        "Aux",
        "Pour",
        "Par",
        "Sur",
        "Dans",
        "Avec",
        "Ce",
        "Cette",
        "Ces",
        "Il",
        "Elle",
        "Ils",
        "On",
        "Nous",
        "The",
        "A",
        "An",
        "And",
        "Of",
        "In",
        "On",
        "For",
        "To",
        "With",
        "By",
        "At",
        "From",
        "As",
        "Is",
        "Are",
        "Was",
        "This",
        "That",
        "These",
        "It",
        "Its",
        "Their",
        "Our",
        "We",
        "Der",
        "Die",
        "Das",
        "Und",
        "El",
        "Los",
        "Las",
        "Il",
        "Lo",
        "I",
        "Het",
        "Een",
        "De",
        "O",
        "Os",
    ]
)
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "nb")
# The short forms the press uses that CLDR keeps only as "alt" names.
SHORT_COUNTRIES = {"uk": "GB", "usa": "US", "us": "US", "uae": "AE", "eau": "AE"}
PAIR_FEATURES = [
    "shared_commitment",
    "same_signal",
    "names",
    "countries",
    "numbers",
    "quotes",
    "title",
    "lead",
    "same_language",
    "days_apart",
    "undated",
]
DEFAULT_THRESHOLD = 0.6
MAX_DAYS = 3650.0
WINDOW_DAYS = 120
UNDATED_REACH = 8
MAX_COMPARED = 16


@dataclass(frozen=True)
class Report:
    """One publication as grouping reads it."""

    key: str
    title: str
    published_at: datetime | None
    precision: str | None
    language: str
    commitments: dict[str, str]  # slug → signal class (pos, setback, mention)
    names: frozenset[str]
    countries: frozenset[str]
    numbers: frozenset[str]
    quotes: frozenset[str]
    title_text: str
    lead: frozenset[str]


def _aware(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, 12, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _names(text: str) -> set[str]:
    """Capitalised words not opening a sentence, and acronyms anywhere: the names a story carries."""
    found: set[str] = set()
    for sentence in sentences(text):
        tokens = words(sentence)
        for index, token in enumerate(tokens):
            if len(token) < 2 or token.isdigit():
                continue
            acronym = token.isupper() and any(c.isalpha() for c in token)
            if acronym or (index > 0 and token[0].isupper()):
                folded = fold_word(token)
                if folded not in GENERIC_NAMES:
                    found.add(folded)
    return found


_COUNTRY_NAMES: dict[tuple[str, ...], str] = {}


def _country_names() -> dict[tuple[str, ...], str]:
    """Country names in the tracker's languages, from Babel's CLDR data: the same country
    whatever language a report is in ("Royaume-Uni", "United Kingdom", "Vereinigtes Königreich")."""
    if not _COUNTRY_NAMES:
        for language in LANGUAGES:
            for code, name in Locale.parse(language).territories.items():
                if len(code) == 2 and code.isalpha():
                    key = tuple(fold_word(w) for w in words(name))
                    if key:
                        _COUNTRY_NAMES.setdefault(key, code)
    return _COUNTRY_NAMES


def _countries(text: str) -> set[str]:
    names = _country_names()
    longest = max(len(k) for k in names)
    tokens = words(text)
    folded = [fold_word(t) for t in tokens]
    found = set()
    for i, token in enumerate(tokens):
        if token.isupper() and folded[i] in SHORT_COUNTRIES:
            found.add(SHORT_COUNTRIES[folded[i]])
        if not token[:1].isupper():
            continue
        for n in range(longest, 0, -1):
            code = names.get(tuple(folded[i : i + n]))
            if code:
                found.add(code)
                break
    return found


def _numbers(text: str) -> set[str]:
    out = set()
    for match in NUMBER.finditer(text):
        value = match.group(0).replace(",", ".")
        if value.endswith(".0"):
            value = value[:-2]
        if value not in {"0", "1"}:
            out.add(value)
    return out


def _shingles(text: str) -> frozenset[str]:
    folded = [fold_word(w) for w in words(text)]
    return frozenset(f"{a} {b}" for a, b in zip(folded, folded[1:], strict=False))


def report_of(
    key: str,
    title: str,
    body: str,
    published_at: datetime | date | None,
    precision: str | None,
    language: str | None,
    commitments: dict[str, str],
) -> Report:
    """What grouping keeps of a publication: title and lead only, where a story states its facts."""
    title = prepare(title or "")
    lead = prepare((body or "")[:LEAD_CHARS])
    text = f"{title}.\n{lead}"
    quotes = frozenset(" ".join(fold_word(w) for w in words(q)) for q in QUOTED.findall(text))
    return Report(
        key=key,
        title=title.strip(),
        published_at=_aware(published_at),
        precision=precision,
        language=language or "",
        commitments=dict(commitments),
        names=frozenset(_names(text)),
        countries=frozenset(_countries(text)),
        numbers=frozenset(_numbers(text)),
        quotes=frozenset(q for q in quotes if q),
        title_text=" ".join(fold_word(w) for w in words(title)),
        lead=_shingles(text),
    )


@dataclass
class Weights:
    """Inverse document frequencies of names and numbers over the reports being grouped:
    "Paris", "AI" or "2025" are in every report and tell two stories apart from nothing."""

    idf: dict[str, float] = field(default_factory=dict)
    default: float = 1.0

    @classmethod
    def of(cls, reports: Sequence[Report]) -> Weights:
        counts: Counter[str] = Counter()
        for report in reports:
            counts.update(report.names)
            counts.update(f"#{n}" for n in report.numbers)
            counts.update(f"@{c}" for c in report.countries)
        total = max(len(reports), 1)
        idf = {term: math.log((1 + total) / (1 + n)) + 0.0 for term, n in counts.items()}
        return cls(idf, math.log(1 + total))

    def overlap(self, a: frozenset[str], b: frozenset[str], prefix: str = "") -> float:
        """Weighted Jaccard of two term sets."""
        if not a or not b:
            return 0.0
        weight = self.idf
        shared = sum(weight.get(prefix + t, self.default) for t in a & b)
        union = sum(weight.get(prefix + t, self.default) for t in a | b)
        return shared / union if union else 0.0


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def days_apart(a: Report, b: Report) -> float | None:
    if a.published_at is None or b.published_at is None:
        return None
    days = abs((a.published_at - b.published_at).total_seconds()) / 86400
    coarse = {"month": 15.0, "year": 180.0}
    slack = max(coarse.get(a.precision or "", 0.0), coarse.get(b.precision or "", 0.0))
    return max(days - slack, 0.0)


def pair_features(a: Report, b: Report, weights: Weights) -> dict[str, float]:
    shared = set(a.commitments) & set(b.commitments)
    days = days_apart(a, b)
    return {
        "shared_commitment": float(bool(shared)),
        "same_signal": float(any(a.commitments[s] == b.commitments[s] for s in shared)),
        "names": weights.overlap(a.names, b.names),
        "countries": weights.overlap(a.countries, b.countries, "@"),
        "numbers": weights.overlap(a.numbers, b.numbers, "#"),
        "quotes": float(bool(a.quotes & b.quotes)),
        "title": fuzz.token_set_ratio(a.title_text, b.title_text) / 100.0,
        "lead": _jaccard(a.lead, b.lead),
        "same_language": float(a.language == b.language),
        "days_apart": math.log1p(min(days, MAX_DAYS)) if days is not None else 0.0,
        "undated": float(days is None),
    }


def candidates(a: Report, b: Report) -> bool:
    """Pairs worth scoring: a commitment in common, or (for reports linked to none) shared names."""
    if set(a.commitments) & set(b.commitments):
        return True
    return (not a.commitments or not b.commitments) and bool(a.names & b.names)


@dataclass
class Event:
    """Reports of one happening, in order of publication; `confirmed` ones are never split."""

    members: list[Report]
    confirmed: bool = False

    @property
    def first(self) -> Report:
        return self.members[0]


def _order(report: Report) -> tuple[datetime, str]:
    return (report.published_at or datetime.max.replace(tzinfo=UTC), report.key)


class Grouper:
    """Scores pairs with the events model and groups reports one at a time."""

    def __init__(self, model: LinearModel, threshold: float | None = None) -> None:
        self.model = model
        self.threshold = threshold if threshold is not None else (model.threshold or DEFAULT_THRESHOLD)

    def probability(self, a: Report, b: Report, weights: Weights) -> float:
        if not candidates(a, b):
            return 0.0
        return self.model.probabilities(pair_features(a, b, weights))[self.model.classes[-1]]

    def group(
        self,
        reports: Iterable[Report],
        confirmed: Sequence[Sequence[str]] = (),
        weights: Weights | None = None,
    ) -> list[Event]:
        """Events over `reports`; `confirmed` lists keys a reviewer grouped, kept together as given."""
        reports = sorted(reports, key=_order)
        weights = weights or Weights.of(reports)
        by_key = {r.key: r for r in reports}
        events: list[Event] = []
        index = _Index()
        placed: set[str] = set()
        for keys in confirmed:
            members = sorted((by_key[k] for k in keys if k in by_key and k not in placed), key=_order)
            if members:
                event = Event(members, confirmed=True)
                events.append(event)
                for member in members:
                    index.add(event, member)
                placed.update(m.key for m in members)
        for report in reports:
            if report.key in placed:
                continue
            best, best_p = None, self.threshold
            for event in index.near(report):
                scores = [self.probability(report, m, weights) for m in _sample(event.members)]
                p = sum(scores) / len(scores)
                if p >= best_p:
                    best, best_p = event, p
            if best is None:
                best = Event([report])
                events.append(best)
            else:
                best.members.append(report)
                best.members.sort(key=_order)
            index.add(best, report)
            placed.add(report.key)
        events.sort(key=lambda e: _order(e.first))
        return events


def _sample(members: list[Report]) -> list[Report]:
    """Members spread evenly over a big event: average linkage estimated on a fixed number of
    them, so that comparing with a story told 100 times costs what comparing with one told 16
    times does."""
    if len(members) <= MAX_COMPARED:
        return members
    step = len(members) / MAX_COMPARED
    return [members[int(i * step)] for i in range(MAX_COMPARED)]


class _Index:
    """Events by commitment and by name, with their last date: a report is compared only with
    events it could join (a shared commitment, or shared names when it has none) and that were
    still being reported within `WINDOW_DAYS` of it. Keeps grouping near-linear in the stored set."""

    def __init__(self) -> None:
        self.by_commitment: dict[str, list[Event]] = {}
        self.by_name: dict[str, list[Event]] = {}
        self.last: dict[int, datetime | None] = {}

    def add(self, event: Event, report: Report) -> None:
        if id(event) not in self.last:
            self.last[id(event)] = None
        for slug in report.commitments:
            bucket = self.by_commitment.setdefault(slug, [])
            if event not in bucket:
                bucket.append(event)
        if not report.commitments:
            for name in report.names:
                bucket = self.by_name.setdefault(name, [])
                if event not in bucket:
                    bucket.append(event)
        last = self.last[id(event)]
        if report.published_at is not None and (last is None or report.published_at > last):
            self.last[id(event)] = report.published_at

    def near(self, report: Report) -> list[Event]:
        found: dict[int, Event] = {}
        undated = report.published_at is None
        for slug in report.commitments:
            bucket = self.by_commitment.get(slug, [])
            # An undated report could belong anywhere: it is compared with the latest events only.
            for event in bucket[-UNDATED_REACH:] if undated else bucket:
                found[id(event)] = event
        if not report.commitments:
            for name in report.names:
                for event in self.by_name.get(name, ()):
                    found[id(event)] = event
            for events in self.by_commitment.values():
                for event in events:
                    if any(report.names & m.names for m in event.members[:3]):
                        found[id(event)] = event
        if report.published_at is None:
            return list(found.values())
        horizon = report.published_at - timedelta(days=WINDOW_DAYS)
        return [e for e in found.values() if (last := self.last[id(e)]) is None or last >= horizon]
