"""Text normalisation shared by profiles and publications, so both sides compare alike.

Case, accents, ligatures, apostrophes and punctuation are folded; French elisions
("l'", "d'", "qu'") are dropped so that "l'IA" and "IA" are the same token.
"""

from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ﬁ": "fi", "ﬂ": "fl"})
APOSTROPHES = re.compile(r"[’‘ʼ`´]")
ELISION = re.compile(r"\b(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu|quoiqu)'", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Sentence ends: . ! ? ; : and line breaks, but not the dot of "M." or "1.5" or "e.g".
SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+(?=[\"«(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])|\n+")


def prepare(text: str) -> str:
    """Ligatures spelled out and every apostrophe made ASCII; accents stay (the stemmers need them)."""
    return APOSTROPHES.sub("'", unicodedata.normalize("NFC", text).translate(LIGATURES))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_FOLDED: dict[str, str] = {}


def fold_word(word: str) -> str:
    """Lower case without accents, remembered: texts repeat the same words a lot."""
    folded = _FOLDED.get(word)
    if folded is None:
        folded = strip_accents(word.lower())
        if len(_FOLDED) < 500_000:
            _FOLDED[word] = folded
    return folded


def words(text: str) -> list[str]:
    """Words in order, elisions removed, case and accents kept."""
    return WORD.findall(ELISION.sub(" ", prepare(text)))


def normalise(text: str) -> str:
    """One lower-case, accent-free, space-separated string: for display and exact checks."""
    return strip_accents(" ".join(words(text)).lower())


def sentences(text: str) -> list[str]:
    """Split on sentence ends and line breaks; empty pieces dropped."""
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]
