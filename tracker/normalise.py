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
# Punctuation a word may carry at either end, stripped before asking whether what is left is one
# word: none of it is a word character or an apostrophe (elisions need theirs).
_EDGES = '.,;:!?()[]{}«»"“”„…-–—/\\%€$£*+=<>|#@&~^°•·'
# Sentence ends: . ! ? ; : and line breaks, but not the dot of "M." or "1.5" or "e.g".
SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+(?=[\"«(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])|\n+")
# The same ends found from the punctuation (a look-behind at every character is slow): the break
# is group 1, the spaces after the mark, or the whole match, the line breaks.
_SENTENCE_END_FROM_MARK = re.compile(r"[.!?;…](\s+)(?=[\"«(\[]?\s*[A-ZÀ-ÖØ-Þ0-9])|\n+")


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
    # Words never span white space: most pieces between spaces are one word, with or without
    # punctuation at its ends, and only the others go through the regex (an elision's \b sees the
    # same neighbours in the piece as in the text).
    if "ʼ" in text:  # the one apostrophe that is a letter: "Lʼ" looks like a word but is elided
        return list(filter(None, _TOKEN.findall(text)))
    out: list[str] = []
    for piece in text.split():
        if piece.isalnum():
            out.append(piece)
            continue
        core = piece.strip(_EDGES)
        if core.isalnum():
            out.append(core)
        elif core:
            out.extend(filter(None, _TOKEN.findall(core)))
    return out


def normalise(text: str) -> str:
    """One lower-case, accent-free, ligature-free, space-separated string: for exact checks."""
    return " ".join(fold_word(w) for w in words(prepare(text)))


def sentences(text: str) -> list[str]:
    """Split on sentence ends and line breaks (as `SENTENCE_END.split`); empty pieces dropped."""
    pieces = []
    last = 0
    for match in _SENTENCE_END_FROM_MARK.finditer(text):
        start = match.start(1)
        if start < 0:
            start, end = match.span()
        else:
            end = match.end(1)
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return [s.strip() for s in pieces if s and s.strip()]
