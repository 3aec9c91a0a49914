"""Matching profiles: what each commitment is called, and what it is not.

Built from the baseline (the database rows or the YAML file, which share field
names). Aliases are strong names and match in a text of any language; phrasings are
how the press names it without its name ("la déclaration du sommet"), weaker and
language-bound like keywords, which must pile up; exclusions show that a text
speaks of something else ("sommet du Mont-Blanc", "sécurité routière"). The title,
description and actors make the profile's text for the BM25 ranking.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from tracker.language import BASE_LANGUAGES, LANGUAGES
from tracker.normalise import prepare, words
from tracker.stemming import stemmer

Kind = Literal["alias", "phrasing", "keyword", "exclusion"]
MATCHER_VERSION = "2"
KIND_WEIGHTS = {"alias": 1.0, "phrasing": 0.6, "exclusion": -1.0}
# Function words that do not make a proper name: "Coalition for Sustainable AI" is still a name.
_MINOR = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "de",
        "des",
        "du",
        "for",
        "in",
        "of",
        "on",
        "the",
        "to",
        "et",
        "la",
        "le",
        "les",
        "pour",
        "sur",
        "en",
        "une",
        "un",
    ]
)


@dataclass(frozen=True)
class Term:
    """One alias, keyword or exclusion of one commitment, ready to be found."""

    text: str
    kind: Kind
    language: str
    slug: str
    words: tuple[str, ...]
    case_sensitive: bool

    @property
    def weight(self) -> float:
        if self.kind in KIND_WEIGHTS:
            return KIND_WEIGHTS[self.kind]
        return 0.3 if len(self.words) > 1 else 0.2

    @property
    def strong(self) -> bool:
        """A name of the commitment (alias or phrasing), not just a word of its field."""
        return self.kind in ("alias", "phrasing")

    def stems(self, language: str) -> tuple[str, ...]:
        return tuple(stemmer(language).many(list(self.words)))

    def same_case(self, original: tuple[str, ...]) -> bool:
        """A short proper name ("ROOST", "Current AI") must keep its capitals to count."""
        if not self.case_sensitive:
            return True
        # An acronym may be written as a name ("Inesia" for "INESIA", as AFP writes it), never in
        # lower case ("roost" the word, "current AI" the adjective).
        return all(o[:1].isupper() == w[:1].isupper() for o, w in zip(original, self.words, strict=False))


def _case_sensitive(tokens: list[str]) -> bool:
    names = [t for t in tokens if t.lower() not in _MINOR]
    if not names or len(tokens) > 2:
        return False
    return all(t[:1].isupper() for t in names)


@dataclass
class Profile:
    """Everything the matcher needs to know of one commitment."""

    slug: str
    made_on: date | None
    status: str = "not_rated"
    commitment_id: int | None = None
    terms: list[Term] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)  # language → title, description, actors

    def of_kind(self, kind: Kind) -> list[Term]:
        return [t for t in self.terms if t.kind == kind]


def _lists(value: Any) -> dict[str, list[str]]:
    """The YAML spec's TermLists or the database's JSON dict, as {language: [terms]}."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {k: list(v or []) for k, v in value.items()}
    return {language: list(getattr(value, language, []) or []) for language in LANGUAGES}


def _bilingual(commitment: Any, name: str, language: str) -> str:
    """A database row's `title_fr`, or a baseline spec's `title.fr`."""
    flat = getattr(commitment, f"{name}_{language}", None)
    if flat is not None:
        return str(flat)
    nested = getattr(commitment, name, None)
    return str(getattr(nested, language, "") or "") if nested is not None else ""


def _texts(commitment: Any) -> dict[str, list[str]]:
    actors = [str(a) for a in getattr(commitment, "actors", None) or []]
    return {
        language: [
            t
            for t in (
                _bilingual(commitment, "title", language),
                _bilingual(commitment, "description", language),
            )
            if t
        ]
        + actors
        for language in BASE_LANGUAGES
    }


TERM_ATTRIBUTES = (
    ("alias", "aliases"),
    ("phrasing", "phrasings"),
    ("keyword", "keywords"),
    ("exclusion", "exclusions"),
)


def build_profile(commitment: Any) -> Profile:
    """A profile from anything with slug, made_on, aliases, phrasings, keywords, exclusions."""
    profile = Profile(
        slug=commitment.slug,
        made_on=commitment.made_on,
        status=getattr(commitment, "status", "not_rated") or "not_rated",
        commitment_id=getattr(commitment, "id", None),
        texts=_texts(commitment),
    )
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for kind, attribute in TERM_ATTRIBUTES:
        for language, texts in _lists(getattr(commitment, attribute, None)).items():
            if language not in LANGUAGES:
                continue
            for text in texts:
                tokens = words(prepare(text))
                # A phrase listed as a name and again as a keyword counts once, as the stronger kind.
                key = (
                    "exclusion" if kind == "exclusion" else "term",
                    language,
                    tuple(w.lower() for w in tokens),
                )
                if not tokens or key in seen:
                    continue
                seen.add(key)
                profile.terms.append(
                    Term(
                        text=text,
                        kind=kind,  # type: ignore[arg-type]
                        language=language,
                        slug=commitment.slug,
                        words=tuple(tokens),
                        case_sensitive=kind == "alias" and _case_sensitive(tokens),
                    )
                )
    return profile


def build_profiles(commitments: Iterable[Any]) -> list[Profile]:
    return [build_profile(c) for c in commitments]


def fingerprint(profiles: Iterable[Profile], threshold: float, models: str = "") -> str:
    """Changes when anything that decides a link changes: terms, texts, dates, threshold, models."""
    data = [
        [
            p.slug,
            p.made_on.isoformat() if p.made_on else None,
            [[t.kind, t.language, t.text] for t in p.terms],
            p.texts,
        ]
        for p in profiles
    ]
    payload = json.dumps([MATCHER_VERSION, threshold, models, data], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()
