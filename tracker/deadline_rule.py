"""The other half of the status rule: a deadline passed with no progress stalls a commitment.

A commitment still not rated the day after its deadline, with no accepted progress
evidence published by then, moves to `stalled`, by `auto`, holding from the day after
the deadline (Paris), with the deadline as its reason. It runs where proposals are applied
without a person (`review accept-all`, the demo, `match` with `tracker.auto_apply_above`).
"""

from __future__ import annotations

from datetime import date, timedelta

from storage.dateprecision import start_of_day
from storage.db import Session
from storage.digest_data import deadlines_met
from storage.models import StatusChange
from storage.status import set_status, unrated_past_deadline


def apply_deadline_rule(session: Session, today: date, by: str = "auto") -> list[StatusChange]:
    """Stall every not-rated commitment whose deadline passed before `today` unmet; the changes made."""
    met = deadlines_met(session)
    changes = []
    for commitment in unrated_past_deadline(session, today):
        assert commitment.deadline is not None
        if commitment.id in met:
            continue
        change = set_status(
            session,
            commitment,
            "stalled",
            changed_by=by,
            note=f"deadline passed ({commitment.deadline.isoformat()}) with no progress reported",
            holds_from=start_of_day(commitment.deadline + timedelta(days=1)),
        )
        if change is not None:
            changes.append(change)
    return changes
