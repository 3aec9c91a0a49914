"""Which language a publication is written in, when its source does not say.

Counting frequent function words is enough to tell French from English in
press releases and speeches; anything else falls back to the source's language.
"""

from __future__ import annotations

from tracker.normalise import fold_word, words

LANGUAGES = ("fr", "en")
FUNCTION_WORDS = {
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "et",
            "un",
            "une",
            "est",
            "sont",
            "pour",
            "dans",
            "par",
            "sur",
            "au",
            "aux",
            "avec",
            "ce",
            "cette",
            "ces",
            "qui",
            "que",
            "ne",
            "pas",
            "plus",
            "nous",
            "vous",
            "ils",
            "elle",
            "son",
            "sa",
            "ses",
            "leur",
            "leurs",
            "ou",
            "mais",
            "a",
            "ete",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "are",
            "for",
            "on",
            "with",
            "by",
            "this",
            "that",
            "these",
            "which",
            "be",
            "was",
            "were",
            "it",
            "its",
            "from",
            "as",
            "an",
            "at",
            "or",
            "not",
            "have",
            "has",
            "been",
            "will",
            "their",
            "our",
            "we",
            "they",
        ]
    ),
}


def detect_language(text: str, default: str = "fr") -> str:
    """'fr' or 'en' from function-word counts over the first few thousand words."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in words(text[:20000]):
        lowered = fold_word(word)
        for language in LANGUAGES:
            if lowered in FUNCTION_WORDS[language]:
                counts[language] += 1
    best = max(LANGUAGES, key=lambda language: counts[language])
    if counts[best] < 3 or counts["fr"] == counts["en"]:
        return default if default in LANGUAGES else "fr"
    return best


def publication_language(declared: str | None, text: str, default: str = "fr") -> str:
    """The declared language when it is one we stem, else a detection."""
    if declared:
        short = declared.split("-")[0].split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return detect_language(text, default)
