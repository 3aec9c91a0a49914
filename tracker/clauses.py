"""Reading what one sentence says of one commitment: the cue, its tense or mood, its negation.

A sentence is cut into clauses at punctuation and contrast words. Every cue (a word of
progress, completion, setback or critique) belongs to the commitment named nearest to
it in the sentence, so "INESIA a été créé, mais Current AI peine à lever des fonds"
gives INESIA its progress and Current AI its setback. Within the cue's own clause, a
plan word before it ("va", "will", "devrait") makes it an intention, and a negation
beside it ("n'ont pas signé", "has not been created", "has yet to launch") turns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.horizon import horizon
from tracker.lexicon import CUE_CLASSES, Lexicon, Mark
from tracker.normalise import ELISION, WORD
from tracker.recount import recounted

# Effective readings a cue can have; the signal model counts them per part of the text.
READINGS = (
    "progress",
    "achieved",
    "planned_progress",
    "recounted_progress",
    "negated_progress",
    "setback",
    "planned_setback",
    "negated_setback",
    "critique",
)
PLAN_WINDOW = 4
NEGATION_BEFORE = 4
NEGATION_AFTER = 2
# German, Dutch and Norwegian put the negation at the end of the clause ("USA und UK
# unterschreiben die Erklärung nicht"): there it turns any cue before it in its clause.
LATE_NEGATION = {"de": 12, "nl": 12, "no": 12}
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–]|\s-\s")
# Words that are plan markers in lower case only ("in May" is a month, not "may").
_LOWER_ONLY = frozenset({"may", "will"})


@dataclass(frozen=True)
class Reading:
    """One cue read for one commitment."""

    reading: str  # one of READINGS
    cue: str
    sentence: int
    start: int
    modifier: str | None = None  # the plan or negation word that turned it
    named: bool = True  # the sentence names the commitment (else: an unnamed headline or lead)

    def describe(self) -> str:
        turned = f" (turned by “{self.modifier}”)" if self.modifier else ""
        return f"{self.reading}: “{self.cue}”{turned}"


def clause_ids(text: str) -> list[int]:
    """For each word of `text` (as `normalise.words` cuts it), the index of its clause."""
    prepared = ELISION.sub(" ", text)
    ids: list[int] = []
    clause = 0
    last = 0
    for match in WORD.finditer(prepared):
        if ids and _CLAUSE_BREAK.search(prepared, last, match.start()):
            clause += 1
        ids.append(clause)
        last = match.end()
    return ids


def _turn(kind: str, modifier: str) -> str:
    if modifier == "plan":
        return "planned_setback" if kind == "setback" else "planned_progress"
    if kind == "setback":
        return "negated_setback"
    return "negated_progress"


def _modifier(
    cue: Mark,
    marks: list[Mark],
    clauses: list[int],
    original: list[str],
    contrast_at: set[int],
    negation_after: int = NEGATION_AFTER,
) -> tuple[str, str] | None:
    """The plan or negation word that governs `cue` in its clause, if any."""
    clause = clauses[cue.start] if cue.start < len(clauses) else 0
    best: tuple[int, str, str] | None = None
    for mark in marks:
        if mark.kind not in ("plan", "negation", "setback") or mark is cue:
            continue
        if mark.start < len(clauses) and clauses[mark.start] != clause:
            continue
        if cue.start <= mark.start < cue.end:
            continue  # a word inside the cue phrase itself ("ne signent pas")
        if mark.kind == "plan":
            if not (cue.start - PLAN_WINDOW <= mark.start < cue.start) or cue.kind == "critique":
                continue
            if mark.text in _LOWER_ONLY and original[mark.start][:1].isupper():
                continue
            kind = "plan"
        elif mark.kind == "negation":
            if not (cue.start - NEGATION_BEFORE <= mark.start <= cue.end - 1 + negation_after):
                continue
            kind = "negation"
        else:
            # "has yet to launch", "refusent de signer": a setback phrase before a progress word.
            if cue.kind not in ("progress", "achieved") or not (cue.start - 3 <= mark.start < cue.start):
                continue
            kind = "negation"
        if any(mark.start < c < cue.start or cue.start < c < mark.start for c in contrast_at):
            continue
        distance = abs(cue.start - mark.start)
        if best is None or distance < best[0]:
            best = (distance, kind, mark.text)
    return None if best is None else (best[1], best[2])


def read_sentence(
    lex: Lexicon,
    language: str,
    index: int,
    text: str,
    folded: list[str],
    stems: list[str],
    original: list[str],
    names: dict[str, list[tuple[int, int]]],
    name_spans: list[tuple[int, int]] = (),  # type: ignore[assignment]
    marks: list[Mark] | None = None,
    published: date | None = None,
) -> dict[str, list[Reading]]:
    """Readings per commitment named in the sentence (`names`: slug → word spans).

    A cue inside a name is part of the name, not a cue ("AI Safety Report" is not "reporté").
    `published` is the publication's day: a later year in a cue's clause makes it a plan
    (tracker/horizon.py), a date well before it makes it history (tracker/recount.py).
    """
    if not names:
        return {}
    if marks is None:
        marks = lex.marks(language, folded, stems)
    # A progress verb in the future tense ("publiera") makes what follows it a plan too
    # ("publiera sa feuille de route").
    futures = [
        Mark("plan", m.start, m.end, m.text)
        for m in marks
        if m.kind in ("progress", "achieved") and m.end - m.start == 1 and lex.is_future(language, m.text)
    ]
    if futures:
        marks = [*marks, *futures]
    cues = [
        m
        for m in marks
        if m.kind in CUE_CLASSES and not any(s <= m.start and m.end <= e for s, e in name_spans)
    ]
    if not cues:
        return {}
    clauses = clause_ids(text)
    if len(clauses) != len(folded):
        clauses = [0] * len(folded)
    contrast_at = {m.start for m in marks if m.kind == "contrast"}
    out: dict[str, list[Reading]] = {}
    for cue in cues:
        owners = _owners(cue, names)
        turned = _modifier(
            cue, marks, clauses, original, contrast_at, LATE_NEGATION.get(language, NEGATION_AFTER)
        )
        if turned is None and cue.end - cue.start == 1 and lex.is_future(language, cue.text):
            turned = ("plan", "future tense")  # "lancera", "créeront"
        recount = None
        if turned is None and cue.kind in ("progress", "achieved"):
            clause = clauses[cue.start] if cue.start < len(clauses) else 0
            ahead = horizon(folded, clauses, clause, published.year if published else None)
            if ahead is not None:
                turned = ("plan", ahead)  # "annoncés pour 2027", "to launch this spring"
            else:
                recount = recounted(folded, clauses, clause, published)  # "lancée en février 2025"
        reading = cue.kind
        modifier = None
        if turned is not None:
            if turned[0] == "negation" and cue.kind == "critique":
                continue  # "sans critique", "no concerns": nothing to read
            reading = _turn("setback" if cue.kind == "setback" else "progress", turned[0])
            modifier = turned[1]
        elif recount is not None:
            reading, modifier = "recounted_progress", recount
        written = " ".join(original[cue.start : cue.end]) or cue.text
        for slug in owners:
            out.setdefault(slug, []).append(Reading(reading, written, index, cue.start, modifier))
    return out


def _owners(cue: Mark, names: dict[str, list[tuple[int, int]]]) -> list[str]:
    """The commitments named nearest the cue (ties share it)."""
    best = None
    owners: list[str] = []
    for slug, spans in names.items():
        distance = min(
            0
            if start <= cue.start < end or cue.start <= start < cue.end
            else min(abs(cue.start - (end - 1)), abs(start - cue.start))
            for start, end in spans
        )
        if best is None or distance < best:
            best, owners = distance, [slug]
        elif distance == best:
            owners.append(slug)
    return owners
