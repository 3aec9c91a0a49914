"""Who a CLI review is recorded as: `--by`, else the `tracker.reviewer` setting; never the Unix user."""

from __future__ import annotations

import typer

from summitwatch.config import get_settings

BY_HELP = "Reviewer name recorded with the decision (default: the tracker.reviewer setting)."


def reviewer_name(by: str | None) -> str:
    """The name to record, or a usage error naming both ways to give it."""
    name = (by or "").strip() or (get_settings().tracker.reviewer or "").strip()
    if not name:
        raise typer.BadParameter(
            "who decides? give --by NAME (or set tracker.reviewer, SUMMITWATCH_TRACKER__REVIEWER)",
            param_hint="'--by'",
        )
    return name
