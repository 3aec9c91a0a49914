"""Snowball stemming with a per-language cache: texts repeat the same words a lot."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

from tracker.normalise import strip_accents

STEMMER_NAMES = {
    "fr": "french",
    "en": "english",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
    "no": "norwegian",
}


@lru_cache(maxsize=16)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMER_NAMES[language])


class Stemmer:
    """Lower-cases, stems, then strips accents (the stemmer needs them), remembering every answer."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._stem = _stemmer(language).stemWord
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is None:
            if word.isdigit() and word.isascii():
                return word  # Snowball leaves digits alone; numbers are too many to remember
            lowered = word.lower()
            # Short words and acronyms stay as they are: "IA", "AI", "LNE" are names, not inflections.
            cached = strip_accents(lowered if len(lowered) <= 3 else self._stem(lowered))
            if len(self._cache) < 200_000:
                self._cache[word] = cached
        return cached

    def many(self, items: list[str]) -> list[str]:
        try:  # every word seen before: the common case, at C speed
            return list(map(self._cache.__getitem__, items))
        except KeyError:
            cache = self._cache
            return [cache[w] if w in cache else self(w) for w in items]


@lru_cache(maxsize=16)
def stemmer(language: str) -> Stemmer:
    """One cached stemmer per language for the process."""
    return Stemmer(language)
