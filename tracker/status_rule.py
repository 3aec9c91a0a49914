"""The status rule: which status a piece of evidence argues for, and why, in words.

Stated once here and in the README's methodology:

- first progress (a `progress` signal on a commitment not rated, or stalled) → `in_progress`;
- a completion criterion reported met (`achieved`) → `achieved`, or `partially_achieved` when
  the commitment had stalled on a setback first (delivered, but not as promised);
- a setback → `stalled`, or `broken` when the text says the thing was abandoned or refused
  for good; a final status (`achieved`, `broken`) is only moved by a breaking setback;
- a mention never moves a status, nor does a publication older than the commitment.

The status holds from the evidence's publication date (storage.status).
"""

from __future__ import annotations

FINAL = frozenset({"achieved", "broken"})

REASONS = {
    "in_progress": "first progress reported",
    "achieved": "completion reported",
    "partially_achieved": "completion reported after a setback",
    "stalled": "setback reported",
    "broken": "reported abandoned or refused",
}


def propose(signal: str, current: str, breaks: bool = False, background: bool = False) -> str | None:
    """The status a signal argues for, or None when it would not move the commitment."""
    if background or signal == "mention":
        return None
    if signal == "achieved":
        target = "partially_achieved" if current == "stalled" else "achieved"
        if current == "partially_achieved":
            return None
    elif signal == "progress":
        target = "in_progress"
        if current not in ("not_rated", "stalled"):
            return None
    elif signal == "setback":
        target = "broken" if breaks else "stalled"
        if current in FINAL and not breaks:
            return None
    else:
        return None
    return None if target == current else target


def reason(new_status: str, signal: str, cue: str | None, extra: str | None = None) -> str:
    """The line recorded with an applied proposal: the rule that fired, the cue, any reviewer's note."""
    text = f"{REASONS.get(new_status, new_status)} ({signal}"
    text += f": \u201c{cue}\u201d)" if cue else ")"
    return f"{text}; {extra}" if extra else text
