"""The pages' words (the one catalogue, `summitwatch.words`), status colours, language negotiation.

A status is always shown as a colour and a word, never a colour alone (colour-blind
readers, printed pages). French is the default, as in the digest.
"""

from __future__ import annotations

from datetime import date, datetime

from digests.i18n import STATUS_COLOURS as MAIL_STATUS_COLOURS
from summitwatch.words import DEFAULT_LANGUAGE, LANGUAGES, Words, local_day

STATUS_COLOURS = MAIL_STATUS_COLOURS  # one palette for the pages and the mails

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "STATUS_COLOURS", "Translator", "days_since", "pick_language"]


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """`?lang=` wins; then the best of fr/en in Accept-Language (by q-value); then French."""
    if query_lang in LANGUAGES:
        return str(query_lang)
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()[:2]
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # earlier wins among equals
        if tag in LANGUAGES and q > best_q and q > 0:
            best, best_q = tag, q
    return best


def days_since(value: str | datetime | None, today: date) -> int | None:
    day = local_day(value)
    return None if day is None else max((today - day).days, 0)


class Translator(Words):
    """The words of one language for the pages: `t('key', n=3)`, `t.status(...)`, `t.date(...)`.

    A status stands alone on a page (a badge, a legend, a column): it starts with a capital.
    """

    def status(self, status: str) -> str:
        word = super().status(status)
        return word[:1].upper() + word[1:]
