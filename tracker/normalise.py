"""Text normalisation shared by profiles and publications, so both sides compare alike.

Case, accents, ligatures and punctuation are folded; French elisions ("l'", "d’",
"qu'", whatever the apostrophe) are dropped so that "l'IA" and "IA" are the same token.
Texts are composed (NFC) once, before they are cut into sentences.
"""

from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ﬁ": "fi", "ﬂ": "fl"})
# Every apostrophe a French elision is typed with, so a text needs no rewriting before it is cut.
ELISION = re.compile(r"\b(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu|quoiqu)['’‘ʼ`´]", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# ELISION and WORD in one pass: an elision matches (as an empty group) where it starts a word, so
# it is dropped without rewriting the text first; the words found are those of the two in turn.
_TOKEN = re.compile(r"(?i:\b(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu|quoiqu)['’‘ʼ`´])|([^\W_]+)")
# Without an apostrophe there is no elision, and without "_" the words are the plain \w runs.
_PLAIN = re.compile(r"\w+")
_NOT_PLAIN = re.compile(r"[_'’‘ʼ`´]")
# Sentence ends: . ! ? ; : and line breaks, but not the dot of "M." or "1.5" or "e.g".
SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+(?=[\"«(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])|\n+")


def prepare(text: str) -> str:
    """Composed characters (NFC), once per text: what `words` expects. Length-preserving for
    composed input, so word positions still point into the text as written."""
    return unicodedata.normalize("NFC", text)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_FOLDED: dict[str, str] = {}


def fold_word(word: str) -> str:
    """Lower case without accents, remembered: texts repeat the same words a lot."""
    folded = _FOLDED.get(word)
    if folded is None:
        folded = strip_accents(word.lower().translate(LIGATURES))
        if len(_FOLDED) < 500_000:
            _FOLDED[word] = folded
    return folded


def fold_words(tokens: list[str]) -> list[str]:
    """`fold_word` of each, reading the cache directly: called for every sentence of every text."""
    try:
        return list(map(_FOLDED.__getitem__, tokens))
    except KeyError:
        cache = _FOLDED
        return [cache[t] if t in cache else fold_word(t) for t in tokens]


def words(text: str) -> list[str]:
    """Words in order, elisions removed, case, accents and ligatures kept (NFC text expected)."""
    if _NOT_PLAIN.search(text) is None:
        return _PLAIN.findall(text)
    return list(filter(None, _TOKEN.findall(text)))


def normalise(text: str) -> str:
    """One lower-case, accent-free, ligature-free, space-separated string: for exact checks."""
    return " ".join(fold_word(w) for w in words(prepare(text)))


def sentences(text: str) -> list[str]:
    """Split on sentence ends and line breaks; empty pieces dropped."""
    return [s.strip() for s in SENTENCE_END.split(text) if s and s.strip()]
