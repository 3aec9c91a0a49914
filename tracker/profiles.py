"""Matching profiles: what each commitment is called, and what it is not.

Built from the baseline (the database rows or the YAML file, which share field
names). Aliases are strong names and match in a text of either language; keywords
are weaker, language-bound words that must pile up; exclusions show that a text
speaks of something else ("sommet du Mont-Blanc", "sécurité routière").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from tracker.language import LANGUAGES
from tracker.normalise import words
from tracker.stemming import stemmer

Kind = Literal["alias", "keyword", "exclusion"]
MATCHER_VERSION = "1"
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
        if self.kind == "alias":
            return 1.0
        if self.kind == "exclusion":
            return -1.0
        return 0.3 if len(self.words) > 1 else 0.2

    def stems(self, language: str) -> tuple[str, ...]:
        return tuple(stemmer(language).many(list(self.words)))

    def same_case(self, original: tuple[str, ...]) -> bool:
        """A short proper name ("ROOST", "Current AI") must keep its capitals to count."""
        if not self.case_sensitive:
            return True
        return all(
            o[:1].isupper() == w[:1].isupper() and (not w.isupper() or o.isupper())
            for o, w in zip(original, self.words, strict=False)
        )


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

    def of_kind(self, kind: Kind) -> list[Term]:
        return [t for t in self.terms if t.kind == kind]


def _lists(value: Any) -> dict[str, list[str]]:
    """The YAML spec's TermLists or the database's JSON dict, as {language: [terms]}."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {k: list(v or []) for k, v in value.items()}
    return {language: list(getattr(value, language, []) or []) for language in LANGUAGES}


def build_profile(commitment: Any) -> Profile:
    """A profile from anything with slug, made_on, aliases, keywords, exclusions."""
    profile = Profile(
        slug=commitment.slug,
        made_on=commitment.made_on,
        status=getattr(commitment, "status", "not_rated") or "not_rated",
        commitment_id=getattr(commitment, "id", None),
    )
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for kind, attribute in (("alias", "aliases"), ("keyword", "keywords"), ("exclusion", "exclusions")):
        for language, texts in _lists(getattr(commitment, attribute, None)).items():
            if language not in LANGUAGES:
                continue
            for text in texts:
                tokens = words(text)
                key = (kind, language, tuple(w.lower() for w in tokens))
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


def fingerprint(profiles: Iterable[Profile], threshold: float) -> str:
    """Changes when anything that decides a link changes: terms, dates, threshold, matcher."""
    data = [
        [
            p.slug,
            p.made_on.isoformat() if p.made_on else None,
            [[t.kind, t.language, t.text] for t in p.terms],
        ]
        for p in profiles
    ]
    payload = json.dumps([MATCHER_VERSION, threshold, data], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()
