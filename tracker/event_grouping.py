"""Grouping the stored evidence into events, after each match (and by `events regroup`).

Every publication linked to a commitment takes part; the whole set is grouped again each
time, in the same order, so the result depends on the texts alone (idempotent on rematch).
Events a reviewer confirmed keep their members; event ids carry over to the group that
holds most of an event's members.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from storage.db import session_scope
from storage.events import Grouped, linked_publications, save_events, stored_events
from tracker.event_model import load_event_model
from tracker.events import Event, Grouper, Report, Weights, framing_differs, report_of
from tracker.labelled import signal_class


@dataclass
class GroupingReport:
    publications: int = 0
    events: int = 0
    several: int = 0
    created: int = 0
    removed: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.publications} publications in {self.events} events "
            f"({self.several} reported more than once; {self.created} new, {self.removed} gone) "
            f"in {self.seconds:.1f}s"
        )


def _explained(
    grouper: Grouper, report: Report, event: Event, weights: Weights
) -> tuple[float, dict[str, float]]:
    """Why a member belongs: the link it holds to the rest of the event (the mean of its `top`
    strongest links), those links by member, and what weighed most in the strongest one —
    what `events explain` shows."""
    scored = sorted(
        (
            (grouper.probability(report, m, weights), n, m)
            for n, m in enumerate(event.members)
            if m.key != report.key
        ),
        key=lambda item: (-item[0], item[1]),
    )[: grouper.top]
    if not scored:
        return 0.0, {}
    reasons = {f"link to #{n + 1} {m.title[:48]!r}": round(p, 3) for p, n, m in scored}
    vetoed = [
        n + 1 for n, m in enumerate(event.members) if m.key != report.key and framing_differs(report, m)
    ]
    if vetoed:  # kept together by a reviewer, or reached through other members
        reasons[f"no link to #{', #'.join(map(str, vetoed))}: one looks back, the other reports"] = 0.0
    strongest = scored[0][2]
    values = grouper.features(report, strongest, weights)
    positive = grouper.model.classes[-1]
    for name, part in grouper.model.contributions(values, positive)[:4]:
        reasons[f"{name} (weighs {part:+.2f})"] = round(values[name], 3)
    return round(sum(p for p, _, _ in scored) / len(scored), 4), reasons


def regroup() -> GroupingReport:
    started = time.monotonic()
    out = GroupingReport()
    model = load_event_model()
    with session_scope() as session:
        linked = linked_publications(session)
        reports = {
            str(item.publication.id): report_of(
                str(item.publication.id),
                item.publication.title,
                item.publication.body or "",
                item.publication.published_at,
                item.publication.date_precision,
                item.publication.language,
                {slug: signal_class(signal) for slug, signal in item.commitments.items()},
            )
            for item in linked
        }
        confirmed = {
            e.id: [str(m.publication_id) for m in e.members] for e in stored_events(session) if e.confirmed
        }
        weights = Weights.of(list(reports.values()))
        if model is None:
            events = [Event([r]) for r in sorted(reports.values(), key=lambda r: r.key)]
        else:
            grouper = Grouper(model)
            events = grouper.group(reports.values(), list(confirmed.values()), weights)
        confirmed_of = {tuple(keys): event_id for event_id, keys in confirmed.items()}
        groups = []
        for event in events:
            keys = [m.key for m in event.members]
            confirmed_id = None
            if event.confirmed:
                confirmed_id = next((i for k, i in confirmed_of.items() if set(k) >= set(keys)), None)
            explained = {}
            if model is not None:
                explained = {m.key: _explained(grouper, m, event, weights) for m in event.members[1:]}
            groups.append(
                Grouped(
                    title=event.first.title,
                    first_published_at=event.first.published_at,
                    members=[
                        (int(m.key), *explained[m.key]) if m.key in explained else (int(m.key), None, {})
                        for m in event.members
                    ],
                    confirmed_id=confirmed_id,
                )
            )
        out.created, _, out.removed = save_events(session, groups)
        out.publications = len(reports)
        out.events = len(groups)
        out.several = sum(1 for g in groups if len(g.members) > 1)
    out.seconds = time.monotonic() - started
    return out
