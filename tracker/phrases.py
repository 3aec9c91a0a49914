"""Finding many phrases in a token sequence in one pass.

Each phrase is indexed by its first token; a scan looks up every token once and
compares only the few phrases that start with it, so the cost grows with the text,
not with the number of phrases. Used for commitment terms (on stems) and cue
phrases (on plain words).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

P = TypeVar("P")


@dataclass
class PhraseIndex(Generic[P]):
    by_first: dict[str, list[tuple[tuple[str, ...], P]]] = field(default_factory=dict)

    def add(self, tokens: Sequence[str], payload: P) -> None:
        if tokens:
            self.by_first.setdefault(tokens[0], []).append((tuple(tokens), payload))

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_first.values())

    def scan(self, tokens: Sequence[str]) -> Iterator[tuple[int, int, P]]:
        """(start, end, payload) of every phrase occurrence; overlapping ones included."""
        by_first = self.by_first
        n = len(tokens)
        # Most words start no phrase: find those that do in one comprehension, then compare.
        for i in [i for i, token in enumerate(tokens) if token in by_first]:
            for phrase, payload in by_first[tokens[i]]:
                end = i + len(phrase)
                if end <= n and (len(phrase) == 1 or tuple(tokens[i:end]) == phrase):
                    yield i, end, payload
