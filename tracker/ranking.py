"""BM25 over commitment profiles: which commitments a text reads like, beyond exact names.

Each commitment is a small document per language (its title, description, actors,
names, keywords and press phrasings, stemmed); a publication is the query. bm25s
computes the term weights once; matching then sums the weights of the publication's
distinct stems from a dictionary, which costs microseconds instead of a sparse
product per call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s

from tracker.language import BASE_LANGUAGES, FUNCTION_WORDS
from tracker.normalise import fold_word, words
from tracker.stemming import stemmer

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

# Words of every profile that tell commitments apart from nothing: left out of the index.
_COMMON = frozenset(["ia", "ai", "intelligence", "artificielle", "artificial", "sommet", "summit", "paris"])


@dataclass(frozen=True)
class ProfileText:
    slug: str
    texts: dict[str, list[str]]  # language → the profile's texts in that language


def _tokens(text: str, language: str) -> list[str]:
    stop = FUNCTION_WORDS.get(language, frozenset())
    stem = stemmer(language)
    out = []
    for word in words(text):
        folded = fold_word(word)
        if len(folded) < 2 or folded in stop or folded in _COMMON or folded.isdigit():
            continue
        out.append(stem(word))
    return out


class ProfileRanker:
    """BM25 weights of every profile stem, per language."""

    def __init__(self, profiles: Sequence[ProfileText]) -> None:
        self.slugs = [p.slug for p in profiles]
        self.weights: dict[str, dict[str, tuple[tuple[int, float], ...]]] = {}
        for language in BASE_LANGUAGES:
            corpus = [_tokens(" ".join(p.texts.get(language, [])), language) or ["_"] for p in profiles]
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            table: dict[str, tuple[tuple[int, float], ...]] = {}
            for token in retriever.vocab_dict:
                if not token or token == "_":
                    continue
                scores = retriever.get_scores([token])
                table[token] = tuple((i, float(s)) for i, s in enumerate(scores) if s > 0)
            self.weights[language] = table

    def scores(self, stems: Iterable[str], language: str) -> dict[str, float]:
        """Each commitment's BM25 score for a text given as its stems (repeats count once).

        Profiles are written in French and English only: a text in another language has no score.
        """
        table = self.weights.get(language)
        if table is None:
            return {}
        totals = [0.0] * len(self.slugs)
        for stem in set(stems):
            for index, weight in table.get(stem, ()):
                totals[index] += weight
        return {slug: total for slug, total in zip(self.slugs, totals, strict=True) if total > 0}
