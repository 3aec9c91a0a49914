"""The one catalogue of words for the web, the mails and the CLI: gettext through Babel.

`summitwatch/locale/<lang>/LC_MESSAGES/summitwatch.po` holds every word, keyed by a short
id ("dashboard_title", "status.achieved", "actor.French government"); plurals are gettext
plurals (French counts 0 and 1 as singular). The .po files are compiled in memory when first
used, so there is no build step and no binary file to keep in step. Dates and numbers are
Babel's, in the configured time zone. `make messages` extracts the ids the templates use.

A status, a theme, a signal, a health word and an actor read the same on every surface:
the pages capitalise a status standing alone ("En cours"), a sentence keeps it lower case.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
PAGE_ZONE = ZoneInfo("Europe/Paris")  # where a page's own day was stored as midnight
DOMAIN = "summitwatch"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
# French puts a no-break space before a colon; English none.
COLONS = {"fr": "\u00a0:", "en": ":"}

# The status rule writes its reasons in English (tracker.status_rule, tracker.deadline_rule);
# `Words.note` gives them in the reader's language; a reviewer's own note is left as written.
RULE_REASONS = (
    "completion reported after a setback",
    "first progress reported",
    "completion reported",
    "setback reported",
    "reported abandoned or refused",
)
_DEADLINE_REASON = re.compile(r"^deadline passed \((\d{4}-\d{2}-\d{2})\) with no progress reported")
_SIGNAL_CUE = re.compile(r"^\((mention|progress|achieved|setback)(: “([^”]*)”)?\)")


@lru_cache(maxsize=len(LANGUAGES))
def _catalogue(lang: str) -> tuple[Translations, frozenset[str]]:
    """The compiled translations of `lang`, and the ids that have plural forms."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    plural_ids = frozenset(m.id[0] for m in catalog if m.pluralizable and isinstance(m.id, tuple))
    return Translations(buffer, domain=DOMAIN), plural_ids


@lru_cache(maxsize=len(LANGUAGES))
def known_ids(lang: str) -> frozenset[str]:
    """Every id the catalogue of `lang` translates (tests check templates use no other)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    return frozenset((m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id and m.string)


def _parse(value: str | datetime | date | None) -> datetime | date | None:
    if value is None or isinstance(value, datetime | date):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _zone() -> Any:
    from storage.dateprecision import display_zone  # the configured zone (settings)

    return display_zone()


def local_day(value: str | datetime | date | None) -> date | None:
    """A bare day is that day; an instant is the day it falls on in the configured zone."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return (parsed.astimezone(_zone()) if parsed.tzinfo is not None else parsed).date()
    return parsed


@lru_cache(maxsize=8192)
def _formatted_day(day: date, form: str, lang: str) -> str:
    """Babel's formatting of one day (~0.1 ms each, a page shows dozens): the same day, form
    and language always read the same, so each is formatted once."""
    if form in ("long", "full"):
        return format_date(day, format=form, locale=lang)
    return format_skeleton(form, day, locale=lang)


class Words:
    """The words of one language: `words('key', n=3)`, `words.status('achieved')`, dates, numbers."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._translations, self._plural_ids = _catalogue(self.lang)

    @property
    def language(self) -> str:
        return self.lang

    def __call__(self, key: str, **values: Any) -> str:
        """The text of `key`; a plural id takes its form from `n` (formatted the language's way)."""
        if key in self._plural_ids:
            count = int(values.get("n", 0))
            text = self._translations.ngettext(key, key + "_plural", count)
            values = {**values, "n": self.number(count)}
        else:
            text = self._translations.gettext(key)
        return text.format(**values) if values else text

    def plural(self, key: str, n: int, **values: Any) -> str:
        return self(key, n=n, **values)

    @property
    def colon(self) -> str:
        return COLONS[self.lang]

    def label(self, key: str) -> str:
        """`key` followed by a colon as the language writes it: "Signal :" / "Signal:"."""
        return self(key) + self.colon

    def _word(self, kind: str, value: str) -> str:
        key = f"{kind}.{value}"
        text = self._translations.gettext(key)
        return value if text == key else text

    def status(self, status: str) -> str:
        return self._word("status", status)

    def status_count(self, status: str, n: int) -> str:
        """ "3 tenus", "1 en cours", "2 achieved"."""
        return self(f"status_count.{status}", n=n)

    def theme(self, theme: str) -> str:
        return self._word("theme", theme)

    def signal(self, signal: str) -> str:
        return self._word("signal", signal)

    def health(self, health: str) -> str:
        """ok, degraded and failing are the same word everywhere; the states with no verdict translate."""
        return self._word("health", health)

    def actor(self, actor: str) -> str:
        return self._word("actor", actor)

    def actors(self, actors: list[str]) -> list[str]:
        return [self.actor(a) for a in actors]

    def stored_actor(self, typed: str) -> str:
        """The stored (English) name a reader typed in their language: "gouvernement" finds
        "French government"; text that no translation holds is returned as typed."""
        needle = typed.casefold()
        names = [i.removeprefix("actor.") for i in known_ids(self.lang) if i.startswith("actor.")]
        if any(needle in name.casefold() for name in names):
            return typed
        found = sorted(name for name in names if needle in self.actor(name).casefold())
        return found[0] if len(found) == 1 else typed

    def note(self, note: str | None) -> str:
        """A status change's note: the rule's own words in the reader's language, the rest as written."""
        if not note or self.lang == "en":
            return note or ""
        match = _DEADLINE_REASON.match(note)
        if match:
            return self("reason_deadline", date=match[1]) + note[match.end() :]
        for english in RULE_REASONS:
            if note.startswith(english):
                rest = note[len(english) :].lstrip()
                signal = _SIGNAL_CUE.match(rest)
                if signal:
                    cue = self("reason_cue", cue=signal[3]) if signal[3] else ""
                    rest = f"({self.signal(signal[1])}{cue})" + rest[signal.end() :]
                return f"{self('reason.' + english)} {rest}".strip()
        return note

    # --- dates and numbers (Babel) -----------------------------------------------------

    def date(self, value: str | datetime | date | None) -> str:
        """'6 mars 2025' / 'March 6, 2025'; '' when unknown."""
        day = local_day(value)
        return "" if day is None else _formatted_day(day, "long", self.lang)

    def full_date(self, value: str | datetime | date | None) -> str:
        """'lundi 17 février 2025' / 'Monday, February 17, 2025'."""
        day = local_day(value)
        return "" if day is None else _formatted_day(day, "full", self.lang)

    def publication_date(self, value: str | datetime | date | None, precision: str | None = None) -> str:
        """As precisely as the page gave it: 'février 2026' for a month, 'undated' when it gave none.

        A day is the page's own (stored as Paris midnight); a time falls on a day in the reader's zone.
        """
        parsed = _parse(value)
        if isinstance(parsed, datetime) and parsed.tzinfo is not None and precision not in (None, "time"):
            day: date | None = parsed.astimezone(PAGE_ZONE).date()
        else:
            day = local_day(parsed)
        if day is None:
            return self("undated")
        if precision == "year":
            return str(day.year)
        if precision == "month":
            return _formatted_day(day, "yMMMM", self.lang)
        return self.date(day)

    def month(self, value: str) -> str:
        """'2025-02' as 'févr. 2025' / 'Feb 2025'."""
        return _formatted_day(date(int(value[:4]), int(value[5:7]), 1), "yMMM", self.lang)

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.lang)

    def percent(self, value: float | None) -> str:
        """'67 %' / '67%'; 'n.d.' / 'n/a' when there is no rate."""
        return self("not_applicable") if value is None else format_percent(value, locale=self.lang)
