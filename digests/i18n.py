"""The mails' words: the one catalogue (`summitwatch.words`), with the mails' colours and dates.

Every string lives in `summitwatch/locale/*/LC_MESSAGES/summitwatch.po`, shared with the
web pages and the CLI, so a status, a signal or a health word reads the same everywhere.
Mails write dates in full ("lundi 17 février 2025"), and a status inside a sentence in
lower case.
"""

from __future__ import annotations

from datetime import date, datetime

from summitwatch.words import LANGUAGES, Words

__all__ = ["LANGUAGES", "SIGNAL_COLOURS", "STATUS_COLOURS", "Translator"]

# A signal and a status are always a word and a colour together, never a colour alone; the
# web uses the same status colours.
SIGNAL_COLOURS = {"mention": "#4b5563", "progress": "#15803d", "achieved": "#166534", "setback": "#b91c1c"}
STATUS_COLOURS = {
    "not_rated": "#6b7280",
    "in_progress": "#1d4ed8",
    "achieved": "#15803d",
    "partially_achieved": "#0f766e",
    "stalled": "#b45309",
    "broken": "#b91c1c",
}


class Translator(Words):
    """Strings, status words, dates and numbers of one language, for the mails and alerts."""

    def __init__(self, language: str) -> None:
        super().__init__(language)

    def signal_colour(self, signal: str) -> str:
        return SIGNAL_COLOURS.get(signal, SIGNAL_COLOURS["mention"])

    def status_colour(self, status: str) -> str:
        return STATUS_COLOURS.get(status, STATUS_COLOURS["not_rated"])

    def date(self, value: str | date | datetime | None) -> str:  # type: ignore[override]
        """A long date in the reader's language: "lundi 17 février 2025" / "Monday, February 17, 2025"."""
        return self.full_date(value) if value is not None else self("undated")

    def short_date(self, value: str | date | datetime | None) -> str:
        """ "17 février 2025" / "February 17, 2025"."""
        return Words.date(self, value) if value is not None else self("undated")
