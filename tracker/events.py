"""Events: the same happening reported by several publications, grouped into one item.

A report is what grouping reads of a publication: the commitments the tracker linked it to
(with their signal), its date, and the facts that travel across languages and outlets —
proper names, countries (whatever the language names them), numbers, days and quoted
words — plus its title and lead, as words (same language) and as char-gram sketches
(cognates across languages). Two reports are scored by a small logistic model over pair
features (`pair_features`), trained on the real corpus's `story` keys (`summitwatch tracker
train`). Grouping is incremental and deterministic: in order of publication, each report
joins the event it reads most like (the mean of its strongest links to the event's members,
`Grouper`) when that is above the threshold, or opens one. Events a reviewer confirmed are
kept whole.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rapidfuzz import fuzz

from tracker import amounts, facts
from tracker.event_vetoes import veto
from tracker.model import LinearModel
from tracker.normalise import fold_word, prepare, words

LEAD_CHARS = 1200
# The opening the char-gram sketch reads: a headline and its first sentences state the facts.
SKETCH_CHARS = 400
SKETCH_SIZE = 64
PAIR_FEATURES = [
    "shared_commitment",
    "same_signal",
    "commitments",
    "names",
    "countries",
    "numbers",
    "quotes",
    "title",
    "lead",
    "title_countries",
    "title_numbers",
    "title_names",
    "title_grams",
    "lead_grams",
    "same_language",
    "title_across",
    "days_apart",
    "undated",
    "close",
    "far",
    "implied_days",
    "implied_unknown",
    "years",
    "year_gap",
    "signal_conflict",
    "numbers_conflict",
    "title_numbers_conflict",
    "looks_back",
    "framing_differs",
]
DEFAULT_THRESHOLD = 0.8
DEFAULT_TOP = 2
MAX_DAYS = 3650.0
CLOSE_DAYS = 3.0
FAR_DAYS = 30.0
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
    commitments: dict[str, str]  # slug → signal class (pos, setback, mention), strongest link first
    names: frozenset[str]
    countries: frozenset[str]
    numbers: frozenset[str]
    quotes: frozenset[str]
    title_text: str
    lead: frozenset[str]
    title_names: frozenset[str] = frozenset()
    title_countries: frozenset[str] = frozenset()
    title_numbers: frozenset[str] = frozenset()
    title_grams: frozenset[int] = frozenset()
    lead_grams: frozenset[int] = frozenset()
    # The publication date, or for an undated page the latest day its opening names.
    implied_at: datetime | None = None
    years: frozenset[str] = frozenset()
    looks_back: bool = False
    amounts: frozenset[str] = frozenset()  # money amounts of the lead, as "EUR 150bn"


def _aware(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, 12, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _shingles(text: str) -> frozenset[str]:
    folded = [fold_word(w) for w in words(text)]
    return frozenset(f"{a} {b}" for a, b in zip(folded, folded[1:], strict=False))


def sketch(text: str, size: int = SKETCH_SIZE) -> frozenset[int]:
    """Bottom-k MinHash of the text's char 4-grams: the `size` smallest stable hashes, a few
    dozen integers a report however long its text (what datasketch's MinHash keeps, simpler)."""
    hashes = {zlib.crc32(g.encode()) for g in facts.char_grams(text)}
    return frozenset(sorted(hashes)[:size])


_SORTED: dict[frozenset[int], tuple[int, ...]] = {}


def _sorted(grams: frozenset[int]) -> tuple[int, ...]:
    """A sketch's hashes in order, remembered: a report's sketch meets many others."""
    found = _SORTED.get(grams)
    if found is None:
        if len(_SORTED) >= 100_000:
            _SORTED.clear()
        found = _SORTED[grams] = tuple(sorted(grams))
    return found


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """The texts' gram Jaccard estimated from their sketches: the share of the union's `size`
    smallest hashes that both hold (the bottom-k estimator).

    The union's k smallest (k the larger sketch's size) end at its k-th distinct hash: found in
    the merge of the two sorted sketches (two runs: one linear pass in C), where each shared
    hash stands twice, side by side."""
    if not a or not b:
        return 0.0
    shared = a & b
    if not shared:
        return 0.0
    k = max(len(a), len(b))
    merged = sorted(_sorted(a) + _sorted(b))
    both = sorted(shared)
    at = k - 1
    while True:  # distinct hashes up to merged[at] never exceed k: `at` moves by what is missing
        last = merged[at]
        twice = bisect_right(both, last)
        distinct = bisect_right(merged, last) - twice
        if distinct >= k:
            return twice / k
        at += k - distinct


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
    return Report(
        key=key,
        title=title.strip(),
        published_at=_aware(published_at),
        precision=precision,
        language=language or "",
        commitments=dict(commitments),
        names=frozenset(facts.names(text)),
        countries=frozenset(facts.countries(text)),
        numbers=frozenset(facts.numbers(text)),
        quotes=frozenset(facts.quotes(text)),
        title_text=" ".join(fold_word(w) for w in words(title)),
        lead=_shingles(text),
        title_names=frozenset(facts.names(f"{title}.")),
        title_countries=frozenset(facts.countries(title)),
        title_numbers=frozenset(facts.numbers(title)),
        title_grams=sketch(title),
        lead_grams=sketch(text[:SKETCH_CHARS]),
        implied_at=_aware(published_at) or _latest_day(text),
        years=frozenset(facts.mentioned_years(text)),
        looks_back=facts.looks_back(title),
        amounts=frozenset(amounts.amounts(text)),
    )


def _latest_day(text: str) -> datetime | None:
    days = sorted(facts.mentioned_days(text))
    for year, month, day in reversed(days):
        try:
            return datetime(year, month, day, 12, tzinfo=UTC)
        except ValueError:
            continue
    return None


@dataclass
class Weights:
    """Inverse document frequencies of names and numbers over the reports being grouped:
    "Paris", "AI" or "2025" are in every report and tell two stories apart from nothing."""

    idf: dict[str, float] = field(default_factory=dict)
    default: float = 1.0

    @classmethod
    def of(cls, reports: Sequence[Report]) -> Weights:
        return cls.of_terms([terms_of(r) for r in reports])

    @classmethod
    def of_terms(cls, terms: Sequence[Iterable[str]]) -> Weights:
        """The weights of reports given by their `terms_of` (a windowed regroup reads the rest
        of the store's terms from storage, never their texts)."""
        counts: Counter[str] = Counter()
        for each in terms:
            counts.update(set(each))
        total = max(len(terms), 1)
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


def terms_of(report: Report) -> list[str]:
    """What the weights count of a report: its names, numbers (#) and countries (@)."""
    return sorted([*report.names, *(f"#{n}" for n in report.numbers), *(f"@{c}" for c in report.countries)])


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # the union's size, without building it


def days_apart(a: Report, b: Report) -> float | None:
    if a.published_at is None or b.published_at is None:
        return None
    days = abs((a.published_at - b.published_at).total_seconds()) / 86400
    coarse = {"month": 15.0, "year": 180.0}
    slack = max(coarse.get(a.precision or "", 0.0), coarse.get(b.precision or "", 0.0))
    return max(days - slack, 0.0)


def pair_features(a: Report, b: Report, weights: Weights) -> dict[str, float]:
    """What two reports share: commitments and signal, facts (whole lead and headline alone),
    wording (same language) and letters (cognates across languages), and their dates."""
    shared = set(a.commitments) & set(b.commitments)
    days = days_apart(a, b)
    implied = None
    if a.implied_at is not None and b.implied_at is not None:
        implied = abs((a.implied_at - b.implied_at).total_seconds()) / 86400
    same_language = a.language == b.language
    title = fuzz.token_set_ratio(a.title_text, b.title_text) / 100.0
    return {
        "shared_commitment": float(bool(shared)),
        "same_signal": float(any(a.commitments[s] == b.commitments[s] for s in shared)),
        "commitments": _jaccard(frozenset(a.commitments), frozenset(b.commitments)),
        "names": weights.overlap(a.names, b.names),
        "countries": weights.overlap(a.countries, b.countries, "@"),
        "numbers": weights.overlap(a.numbers, b.numbers, "#"),
        "quotes": float(bool(a.quotes & b.quotes)),
        "title": title,
        "lead": _jaccard(a.lead, b.lead),
        "title_countries": _jaccard(a.title_countries, b.title_countries),
        "title_numbers": _jaccard(a.title_numbers, b.title_numbers),
        "title_names": weights.overlap(a.title_names, b.title_names),
        "title_grams": resemblance(a.title_grams, b.title_grams),
        "lead_grams": resemblance(a.lead_grams, b.lead_grams),
        "same_language": float(same_language),
        "title_across": 0.0 if same_language else title,
        "days_apart": math.log1p(min(days, MAX_DAYS)) if days is not None else 0.0,
        "undated": float(days is None),
        "close": float(days is not None and days <= CLOSE_DAYS),
        "far": float(days is not None and days > FAR_DAYS),
        "implied_days": math.log1p(min(implied, MAX_DAYS)) if implied is not None else 0.0,
        "implied_unknown": float(implied is None),
        "years": _jaccard(a.years, b.years),
        "year_gap": _year_gap(a.years, b.years),
        "signal_conflict": float(bool(shared) and all(a.commitments[s] != b.commitments[s] for s in shared)),
        "numbers_conflict": _conflict(a.numbers, b.numbers),
        "title_numbers_conflict": _conflict(a.title_numbers, b.title_numbers),
        "looks_back": float(a.looks_back or b.looks_back),
        "framing_differs": float(a.looks_back != b.looks_back),
    }


class PairFeatures:
    """`pair_features` remembered for one set of weights: training tries several linkages on
    the same pairs, and cross-validation fits several models on overlapping ones."""

    def __init__(self, weights: Weights, memo: bool = True) -> None:
        self.weights = weights
        self.memo = memo
        self._memo: dict[tuple[str, str], dict[str, float]] = {}

    def __call__(self, a: Report, b: Report) -> dict[str, float]:
        if not self.memo:  # grouping a whole store compares each pair once: nothing to remember
            return pair_features(a, b, self.weights)
        key = (a.key, b.key) if a.key < b.key else (b.key, a.key)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = pair_features(a, b, self.weights)
        return found


def _conflict(a: frozenset[str], b: frozenset[str]) -> float:
    """Both state facts of the kind and none agree: "€150 bn" against "€200 bn" tells two
    announcements apart, where a missing figure tells nothing."""
    return float(bool(a) and bool(b) and not a & b)


def _year_gap(a: frozenset[str], b: frozenset[str]) -> float:
    """Years between the latest years two texts name: a 2026 roadmap recalls the 2025 launch."""
    if not a or not b:
        return 0.0
    return float(abs(max(int(y) for y in a) - max(int(y) for y in b)))


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
    """Scores pairs with the events model and groups reports one at a time.

    A report joins the event whose `top` strongest links to it average highest, when that
    is above the threshold ("top-k linkage"). Average linkage over all members failed the
    stories told in five languages: a German report reads like the other German ones, not
    like the French ones, and the average sank below any useful threshold. One link alone
    (single linkage) chains a commentary onto the happening it comments. Both `threshold`
    and `top` are chosen by cross-validation when the model is trained.
    """

    def __init__(
        self,
        model: LinearModel,
        threshold: float | None = None,
        top: int | None = None,
        features: PairFeatures | None = None,
    ) -> None:
        self.model = model
        self.threshold = threshold if threshold is not None else (model.threshold or DEFAULT_THRESHOLD)
        self.top = top if top is not None else int(model.trained.get("linkage_top", DEFAULT_TOP))
        self._cache: dict[tuple[str, str], float] = {}
        # Without a memo, the links a report had to the members of the event it joined (in that
        # order): explaining the event asks for them again, and they are few (`MAX_COMPARED` each).
        self._joined: dict[tuple[str, str], float] = {}
        self._features = features
        # Per report, the strongest event it was compared with and did not join (`refusal`).
        self.refused: dict[str, tuple[float, Event]] = {}

    def probability(self, a: Report, b: Report, weights: Weights) -> float:
        """The model's probability that `a` and `b` report the same happening (0 for non-candidates)."""
        if self._features is None or weights is not self._features.weights:
            self._features = PairFeatures(weights, memo=False)  # for one set of weights only
            self._cache.clear()
            self._joined.clear()
        if not self._features.memo:
            # Either way round: `pair_features` is symmetric but for the order of a float sum
            # (`Weights.overlap`), which moves a probability in its last digits at most.
            known = self._joined.get((a.key, b.key))
            if known is None:
                known = self._joined.get((b.key, a.key))
            return self._probability(a, b) if known is None else known
        key = (a.key, b.key) if a.key < b.key else (b.key, a.key)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._probability(a, b)
        return cached

    def _probability(self, a: Report, b: Report) -> float:
        assert self._features is not None
        if not candidates(a, b) or veto(a, b) is not None:
            return 0.0
        return self.model.probabilities(self._features(a, b))[self.model.classes[-1]]

    def features(self, a: Report, b: Report, weights: Weights) -> dict[str, float]:
        """The pair features the probability of `a` and `b` was read from."""
        self.probability(a, b, weights)
        assert self._features is not None
        return self._features(a, b)

    def link(self, report: Report, event: Event, weights: Weights) -> float:
        """Mean of the `top` strongest links between a report and an event's members."""
        return self._link(report, event, weights)[0]

    def _link(self, report: Report, event: Event, weights: Weights) -> tuple[float, list[tuple[str, float]]]:
        """`link`, and the links it was read from, by member."""
        each = [(m.key, self.probability(report, m, weights)) for m in _sample(event.members)]
        scores = sorted((p for _, p in each), reverse=True)
        best = scores[: self.top]
        return sum(best) / len(best), each

    def _remember_refusal(
        self, report: Report, scored: list[tuple[float, Event]], chosen: Event | None
    ) -> None:
        """Keep the strongest event `report` was compared with and did not join, for `events explain`."""
        refused = [(p, e) for p, e in scored if e is not chosen]
        if refused:
            self.refused[report.key] = max(refused, key=lambda item: item[0])
        else:
            self.refused.pop(report.key, None)

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
            best, best_p, best_links = None, self.threshold, []
            scored = []
            for event in index.near(report):
                p, links = self._link(report, event, weights)
                scored.append((p, event))
                if p >= best_p:
                    best, best_p, best_links = event, p, links
            self._remember_refusal(report, scored, best)
            if best is None:
                best = Event([report])
                events.append(best)
            else:
                if self._features is not None and not self._features.memo:
                    self._joined.update(((report.key, key), p) for key, p in best_links)
                best.members.append(report)
                best.members.sort(key=_order)
            index.add(best, report)
            placed.add(report.key)
        events.sort(key=lambda e: _order(e.first))
        return events


def _sample(members: list[Report]) -> list[Report]:
    """Members spread evenly over a big event: linkage estimated on a fixed number of them, so
    that comparing with a story told 100 times costs what comparing with one told 16 times does."""
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
