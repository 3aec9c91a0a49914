"""Control characters removed from text before it is stored.

Publications come from sites and files we do not control: an escape sequence in a
title (`\\x1b[31m`) would reach every terminal that lists it, a NUL byte is refused by
PostgreSQL (and would abort a whole import), and C1 controls and noncharacters are
invalid in the Atom feed. Whole ANSI sequences go first, so no `[31m` is left behind.
"""

from __future__ import annotations

import re

# CSI (ESC [ … final, or the one-byte CSI), OSC (ESC ] … BEL or ST), and two-byte escapes.
_ANSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
# C0 controls but tab and newline, DEL, C1 controls, and the two noncharacters XML refuses.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(value: str) -> str:
    """`value` without control characters; line ends become newlines, tabs stay."""
    if not _CONTROLS.search(value):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ANSI.sub("", value))


def clean_line(value: str) -> str:
    """One line (a title, a name, a tag): controls removed, each run of whitespace one space."""
    return " ".join(clean_text(value).split())
