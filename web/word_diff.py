"""A word diff of two versions of a page: what was inserted, what was deleted, some context around.

Words and punctuation are compared as tokens (whitespace kept with them, so the text reads
as written). Long unchanged stretches are cut to CONTEXT words either side of a change, so a
one-word edit of a long article fits a phone screen. The template marks `<ins>` and `<del>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

CONTEXT = 25  # words kept either side of a change
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

Op = Literal["equal", "insert", "delete", "gap"]


@dataclass(frozen=True)
class Piece:
    op: Op
    text: str


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace())


def _trim(tokens: list[str], keep_head: bool, keep_tail: bool) -> list[Piece]:
    """An unchanged stretch: CONTEXT words kept after the change before it and before the next."""
    if _words(tokens) <= 2 * CONTEXT + 5:
        return [Piece("equal", "".join(tokens))]
    head: list[str] = []
    tail: list[str] = []
    if keep_head:
        count = 0
        for token in tokens:
            head.append(token)
            count += not token.isspace()
            if count >= CONTEXT:
                break
    if keep_tail:
        count = 0
        for token in reversed(tokens):
            tail.insert(0, token)
            count += not token.isspace()
            if count >= CONTEXT:
                break
    pieces = [Piece("equal", "".join(head))] if head else []
    pieces.append(Piece("gap", ""))
    if tail:
        pieces.append(Piece("equal", "".join(tail)))
    return pieces


@dataclass(frozen=True)
class WordDiff:
    pieces: list[Piece]
    inserted: int  # words
    deleted: int

    @property
    def unchanged(self) -> bool:
        return not (self.inserted or self.deleted)


def word_diff(old: str, new: str) -> WordDiff:
    """`old` → `new` as pieces to show in order; counts of inserted and deleted words."""
    a, b = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    pieces: list[Piece] = []
    inserted = deleted = 0
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            pieces += _trim(a[i1:i2], keep_head=index > 0, keep_tail=index < len(opcodes) - 1)
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("delete", "".join(a[i1:i2])))
            deleted += _words(a[i1:i2])
        if tag in ("insert", "replace"):
            pieces.append(Piece("insert", "".join(b[j1:j2])))
            inserted += _words(b[j1:j2])
    return WordDiff(pieces, inserted, deleted)
