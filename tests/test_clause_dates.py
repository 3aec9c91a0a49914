"""Dates in the clause of a cue: a date ahead makes a plan, a date long past makes history.

Written sentences, to exercise the readers (they calibrate nothing; the figures come from
tests/data/labelled/real).
"""

from __future__ import annotations

from datetime import date

import pytest

from storage.baseline import read_commitments
from tracker.clauses import clause_ids
from tracker.horizon import horizon
from tracker.matching import Document, Matcher
from tracker.normalise import fold_words, words
from tracker.profiles import build_profiles
from tracker.recount import recounted


def _read(text: str) -> tuple[list[str], list[int]]:
    return fold_words(words(text)), clause_ids(text)


def test_a_later_year_or_a_phrase_that_looks_ahead_is_a_horizon() -> None:
    folded, clauses = _read("35 sites annoncés pour 2027")
    assert horizon(folded, clauses, 0, 2025) == "pour 2027"
    assert horizon(folded, clauses, 0, 2027) is None  # that year is now
    assert horizon(folded, clauses, 0, None) is None  # no date: a bare year says nothing
    folded, clauses = _read("le campus ouvrira d'ici 2028")
    assert horizon(folded, clauses, 0, None) == "ici 2028"
    folded, clauses = _read("The IEA will launch the observatory this spring")
    assert horizon(folded, clauses, 0, None) == "this spring"
    # A period or a name is not a due date.
    folded, clauses = _read("L'INESIA publie sa feuille de route 2026-2027")
    assert horizon(folded, clauses, 0, 2026) is None
    # A span of spending is not a due date.
    folded, clauses = _read("109 milliards d'investissements dans les prochaines années")
    assert horizon(folded, clauses, 0, 2025) is None
    # Another clause's date is not this clause's.
    folded, clauses = _read("INESIA a été créé; la feuille de route suivra en 2027")
    assert clauses[0] != clauses[-1] and horizon(folded, clauses, clauses[0], 2025) is None


def test_a_date_well_before_the_page_is_a_recount() -> None:
    folded, clauses = _read("Lancée par la France en février 2025 lors du sommet")
    assert recounted(folded, clauses, 0, date(2025, 11, 19)) == "fevrier 2025"
    assert recounted(folded, clauses, 0, date(2025, 2, 20)) is None  # the news of that month
    assert recounted(folded, clauses, 0, None) is None  # an undated page: how old is unknown
    folded, clauses = _read("ces réunions lancées en 2018")
    assert recounted(folded, clauses, 0, date(2025, 2, 10)) == "en 2018"
    # A year inside a name is no date.
    folded, clauses = _read("une annonce sera faite lors du Sommet Choose France 2025")
    assert recounted(folded, clauses, 0, date(2026, 6, 1)) is None


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(build_profiles(read_commitments()))


def _signal(matcher: Matcher, body: str, published: date | None, slug: str) -> tuple[str, str]:
    doc = Document(title="Intelligence artificielle", body=body, language="fr", published_at=published)
    link = matcher.match(doc, only=[slug])[0]
    return link.signal, link.why()


def test_the_matcher_reads_the_dates_and_says_so(matcher: Matcher) -> None:
    told = (
        "L'INESIA, lancé en janvier 2025, réunit l'ANSSI et Inria pour évaluer l'intelligence artificielle."
    )
    signal, why = _signal(matcher, told, date(2025, 12, 1), "inesia")
    assert signal == "mention" and "recounted_progress" in why and "janvier 2025" in why
    signal, why = _signal(matcher, told, date(2025, 2, 3), "inesia")
    assert signal == "progress", why
    ahead = "L'INESIA a annoncé ses premiers résultats pour 2027."
    signal, why = _signal(matcher, ahead, date(2025, 6, 1), "inesia")
    assert signal == "mention" and "2027" in why, why
    signal, why = _signal(matcher, ahead, date(2027, 6, 1), "inesia")
    assert signal == "progress", why
