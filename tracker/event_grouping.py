"""Grouping the stored evidence into events, after each match (and by `events regroup`).

`events regroup` groups every linked publication again, in the same order, so the result
depends on the texts alone (idempotent on rematch). After a match only the window around the
matched publications is read and grouped again (`event_window`): the rest of the store keeps
its events, and its idf weights come from the terms stored with each member, so the window
gives what a full regroup would at a fraction of the memory. Events a reviewer confirmed keep
their members; event ids carry over to the group that holds most of an event's members.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

from storage.db import Session, session_scope
from storage.events import (
    Grouped,
    Linked,
    events_of,
    linked_publications,
    placed_publications,
    save_events,
    stored_events,
)
from tracker.event_model import load_event_model
from tracker.event_vetoes import veto
from tracker.event_window import Stored, window
from tracker.events import Event, Grouper, Report, Weights, report_of, terms_of
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


def _pair(
    grouper: Grouper, a: Report, b: Report, weights: Weights, pairs: dict[tuple[str, str], float]
) -> float:
    """`grouper.probability` of two members, once per pair of the event: explaining each member
    asks for its links to all the others, so every pair comes up twice (either way round, as
    `Grouper.probability` already reads the links a report had when it joined)."""
    key = (a.key, b.key) if a.key < b.key else (b.key, a.key)
    found = pairs.get(key)
    if found is None:
        found = pairs[key] = grouper.probability(a, b, weights)
    return found


def _explained(
    grouper: Grouper,
    report: Report,
    event: Event,
    weights: Weights,
    pairs: dict[tuple[str, str], float] | None = None,
) -> tuple[float, dict[str, float]]:
    """Why a member belongs: the link it holds to the rest of the event (the mean of its `top`
    strongest links), those links by member, and what weighed most in the strongest one —
    what `events explain` shows. `pairs` keeps the event's links across its members."""
    known = {} if pairs is None else pairs
    scored = sorted(
        (
            (_pair(grouper, report, m, weights, known), n, m)
            for n, m in enumerate(event.members)
            if m.key != report.key
        ),
        key=lambda item: (-item[0], item[1]),
    )[: grouper.top]
    if not scored:
        return 0.0, {}
    reasons = {f"link to #{n + 1} {m.title[:48]!r}": round(p, 3) for p, n, m in scored}
    for n, m in enumerate(event.members):  # kept together by a reviewer, or reached through others
        why = veto(report, m) if m.key != report.key else None
        if why is not None:
            reasons[f"no link to #{n + 1}: {why}"] = 0.0
    strongest = scored[0][2]
    values = grouper.features(report, strongest, weights)
    positive = grouper.model.classes[-1]
    for name, part in grouper.model.contributions(values, positive)[:4]:
        reasons[f"{name} (weighs {part:+.2f})"] = round(values[name], 3)
    return round(sum(p for p, _, _ in scored) / len(scored), 4), reasons


def refusal_reasons(grouper: Grouper, report: Report) -> dict[str, float]:
    """The strongest event a report was compared with and did not join, and why: its link was
    below the threshold, or a veto forbade links to its members — what `events explain` shows
    beside the merges, so that every refusal is explained too."""
    found = grouper.refused.get(report.key)
    if found is None:
        return {}
    p, event = found
    reasons = {f"did not join {event.first.title[:48]!r}: link below {grouper.threshold}": round(p, 3)}
    for why in sorted({w for m in event.members if (w := veto(report, m)) is not None}):
        reasons[f"did not join {event.first.title[:48]!r}: {why}"] = 0.0
    return reasons


def _report(item: Linked) -> Report:
    p = item.publication
    return report_of(
        str(p.id),
        p.title,
        p.body or "",
        p.published_at,
        p.date_precision,
        p.language,
        {slug: signal_class(signal) for slug, signal in item.commitments.items()},
    )


def _scope(session: Session, changed: Collection[int] | None) -> tuple[set[int] | None, list[list[str]]]:
    """The publications to read again and the stored terms of all the others; (None, []) for a
    full regroup: no `changed`, or a store grouped before members kept their terms."""
    if changed is None:
        return None, []
    placed = placed_publications(session)
    if any(p.event_id is not None and p.terms is None for p in placed.values()):
        return None, []
    # Linked but in no event yet, or in an event but no longer linked (a link rejected since):
    # what a full regroup would place or drop, wherever it stands.
    ungrouped = {p.id for p in placed.values() if p.linked != (p.event_id is not None)}
    rows = [
        Stored(p.id, p.published_at, frozenset(p.commitments), p.event_id, p.confirmed)
        for p in placed.values()
    ]
    chosen = window(rows, set(changed) | ungrouped)
    rest = [p.terms or [] for p in placed.values() if p.linked and p.id not in chosen]
    return chosen, rest


def regroup(changed: Collection[int] | None = None) -> GroupingReport:
    """Group the linked publications into events: all of them, or (after a match) the window
    around the `changed` ones (`event_window`), which gives the events a full regroup would."""
    started = time.monotonic()
    out = GroupingReport()
    model = load_event_model()
    with session_scope() as session:
        chosen, rest = _scope(session, changed)
        linked = linked_publications(session, chosen)
        reports = {str(item.publication.id): _report(item) for item in linked}
        terms = {int(key): terms_of(r) for key, r in reports.items()}
        scope = None
        if chosen is not None:
            scope = events_of(session, chosen)
        confirmed = {
            e.id: [str(m.publication_id) for m in e.members]
            for e in stored_events(session, scope)
            if e.confirmed
        }
        weights = Weights.of_terms([*terms.values(), *rest])
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
            explained: dict[str, tuple[float | None, dict[str, float]]] = {}
            if model is not None:
                pairs: dict[tuple[str, str], float] = {}
                for n, m in enumerate(event.members):
                    score, reasons = _explained(grouper, m, event, weights, pairs) if n else (None, {})
                    explained[m.key] = (score, {**reasons, **refusal_reasons(grouper, m)})
            groups.append(
                Grouped(
                    title=event.first.title,
                    first_published_at=event.first.published_at,
                    members=[
                        (int(m.key), *explained[m.key]) if m.key in explained else (int(m.key), None, {})
                        for m in event.members
                    ],
                    confirmed_id=confirmed_id,
                    terms={int(m.key): terms[int(m.key)] for m in event.members},
                )
            )
        out.created, _, out.removed = save_events(session, groups, scope)
        out.publications = len(reports)
        out.events = len(groups)
        out.several = sum(1 for g in groups if len(g.members) > 1)
    out.seconds = time.monotonic() - started
    return out
