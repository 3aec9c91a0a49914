"""A step told with a date well before the text is history, not news.

"Lancée par la France en février 2025, Current AI réunit…", "L'INESIA a été officiellement
lancé le 31 janvier 2025", "the latest stage of which was announced in February 2025":
explainers, background paragraphs and round-ups recount how the commitment came about.
labelling.md reads such a text as a `mention` (background), whereas a report of the step
itself needs no date, or gives one close to its own ("a été lancé ce lundi 10 février").

The clause of a progress cue is read for a date: a year after a month name or after "en",
"in", "since". It recounts when that month (or year) ended more than RECENT_DAYS before
the publication. A page with no date is not read so: nothing tells how old the step is.
"""

from __future__ import annotations

from datetime import date

from tracker.facts import MONTHS, YEAR

RECENT_DAYS = 31
# Words that make the year after them a date ("en 2018", "in 2018", "depuis 2017"); a year
# after a name is part of the name ("Choose France 2025", "AI Impact Summit 2026").
DATE_BEFORE = frozenset({"en", "in", "depuis", "since", "des", "im", "seit", "nel", "em"})


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def recounted(folded: list[str], clauses: list[int], clause: int, published: date | None) -> str | None:
    """The date words that make a step in `clause` a past one (None: it is told as news, or the
    page has no date to measure it against)."""
    if published is None:
        return None
    for i, word in enumerate(folded):
        if (clauses and clauses[i] != clause) or not YEAR.match(word) or i == 0:
            continue
        month = MONTHS.get(folded[i - 1])
        if month is None and folded[i - 1] not in DATE_BEFORE:
            continue
        end = _month_end(int(word), month or 12)
        if (published - end).days > RECENT_DAYS:
            return " ".join(folded[i - 1 : i + 1])
    return None
