"""The fast garbage and binary counts say what the character-by-character ones said."""

from __future__ import annotations

import random
import unicodedata

import pytest

from crawler.quality import binary_share, garbage_share


def slow_garbage_share(text: str) -> float:
    sample = text[:6000]
    if not sample:
        return 0.0
    odd = 0
    for char in sample:
        category = unicodedata.category(char)
        if char == "\ufffd" or category[0] in {"C", "S"} and char not in "\n\t€$£%+=<>|~^`°§©®™•·–—":
            odd += 1
    return odd / len(sample)


def slow_binary_share(raw: bytes) -> float:
    sample = raw[:6000]
    return sum(1 for b in sample if b < 32 and b not in (9, 10, 13)) / len(sample) if sample else 0.0


SAMPLES = [
    "",
    "Le comité a publié un rapport — « l'été » : 12 % de hausse, 3 € ; x+y=z <b> | ~ ^ `.\n\tFin\r\n",
    "\x00\x01\x7f\x1b garbage \ufffd\ufffd ☃ ★ 🙂 ∑ ∞ § © ® ™ • · – —",
    "ÿþ\x00<\x00h\x00t\x00m\x00l\x00" * 50,
]


@pytest.mark.parametrize("text", SAMPLES)
def test_garbage_share_matches_the_reference(text: str) -> None:
    assert garbage_share(text) == pytest.approx(slow_garbage_share(text))


def test_random_text_and_bytes_match_the_reference() -> None:
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0, 0x2FF)] + list("€£°§©®™•·–—☃★🙂∑∞\ufffd\u200b\u00a0")
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7000)))
        assert garbage_share(text) == pytest.approx(slow_garbage_share(text))
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 7000)))
        assert binary_share(raw) == pytest.approx(slow_binary_share(raw))
