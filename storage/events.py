"""Events as stored: what grouping reads, what it writes, and the read model of `events list`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.models import MAX_ID, Commitment, Event, EventMember, Evidence, Publication, Source, utcnow
from storage.queries import NotFound

CHUNK = 5000  # ids per IN (...): well under SQLite's bound on parameters


@dataclass
class Linked:
    """A publication with the commitments it is evidence for (rejected links left out)."""

    publication: Publication
    commitments: dict[str, str] = field(default_factory=dict)  # slug → signal


def linked_publications(session: Session, ids: Collection[int] | None = None) -> list[Linked]:
    """Linked publications with their text: all of them, or those of `ids` (a regroup's window)."""
    query = (
        select(Publication, Commitment.slug, Evidence.signal)
        .join(Evidence, Evidence.publication_id == Publication.id)
        .join(Commitment, Commitment.id == Evidence.commitment_id)
        .where(Evidence.review_state != "rejected")
        .order_by(Publication.id)
    )
    out: dict[int, Linked] = {}
    chunks = [None] if ids is None else [sorted(ids)[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        chosen = query if chunk is None else query.where(Publication.id.in_(chunk))
        for publication, slug, signal in session.execute(chosen):
            out.setdefault(publication.id, Linked(publication)).commitments[slug] = signal
    return list(out.values())


def events_of(session: Session, publication_ids: Collection[int]) -> set[int]:
    """Ids of the events these publications belong to."""
    ordered = sorted(publication_ids)
    found: set[int] = set()
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i : i + CHUNK]
        found |= set(
            session.scalars(select(EventMember.event_id).where(EventMember.publication_id.in_(chunk)))
        )
    return found


@dataclass
class Placed:
    """A publication as a windowed regroup reads the store: no text, its place and its terms."""

    id: int
    published_at: datetime | None
    commitments: set[str]
    linked: bool
    event_id: int | None = None
    confirmed: bool = False
    terms: list[str] | None = None


def placed_publications(session: Session) -> dict[int, Placed]:
    """Every linked or grouped publication: its date, commitments, event and stored terms."""
    out: dict[int, Placed] = {}
    for pid, when, slug in session.execute(
        select(Publication.id, Publication.published_at, Commitment.slug)
        .join(Evidence, Evidence.publication_id == Publication.id)
        .join(Commitment, Commitment.id == Evidence.commitment_id)
        .where(Evidence.review_state != "rejected")
    ):
        out.setdefault(pid, Placed(pid, when, set(), True)).commitments.add(slug)
    for pid, when, event_id, confirmed, terms in session.execute(
        select(
            EventMember.publication_id,
            Publication.published_at,
            EventMember.event_id,
            Event.confirmed,
            EventMember.terms,
        )
        .join(Event, Event.id == EventMember.event_id)
        .join(Publication, Publication.id == EventMember.publication_id)
    ):
        placed = out.setdefault(pid, Placed(pid, when, set(), False))
        placed.event_id, placed.confirmed, placed.terms = event_id, confirmed, terms
    return out


def stored_events(session: Session, ids: Collection[int] | None = None) -> list[Event]:
    """All events, or those of `ids`."""
    query = select(Event).options(selectinload(Event.members)).order_by(Event.id)
    if ids is None:
        return list(session.scalars(query))
    found: list[Event] = []
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        found += session.scalars(query.where(Event.id.in_(ordered[i : i + CHUNK])))
    return sorted(found, key=lambda e: e.id)


@dataclass
class Grouped:
    """One event to store: publication ids in order, with the score each joined at."""

    title: str
    first_published_at: datetime | None
    members: list[tuple[int, float | None, dict[str, Any]]]
    confirmed_id: int | None = None
    terms: dict[int, list[str]] = field(default_factory=dict)  # publication id → idf terms


def save_events(
    session: Session, groups: Sequence[Grouped], scope: Collection[int] | None = None
) -> tuple[int, int, int]:
    """Store `groups` in place of the events of `scope` (all events when None), reusing the id of
    the event that held most of a group's members, so that a rematch keeps links to an event
    stable. Returns (created, kept, removed)."""
    old = stored_events(session, scope)
    event_of: dict[int, int] = {m.publication_id: e.id for e in old for m in e.members}
    by_id = {e.id: e for e in old}
    taken: set[int] = set()
    created = kept = 0
    for event in old:
        event.members.clear()  # delete-orphan: members are written again below
    session.flush()
    for group in groups:
        votes: dict[int, int] = defaultdict(int)
        for publication_id, _, _ in group.members:
            if publication_id in event_of:
                votes[event_of[publication_id]] += 1
        choice = group.confirmed_id
        if choice is None:
            ranked = sorted((v for v in votes if v not in taken), key=lambda v: (-votes[v], v))
            choice = ranked[0] if ranked else None
        event = by_id.get(choice) if choice is not None else None
        if event is None:
            event = Event(title=group.title, first_published_at=group.first_published_at)
            session.add(event)
            created += 1
        else:
            kept += 1
            event.title = group.title
            event.first_published_at = group.first_published_at
        event.updated_at = utcnow()
        session.flush()
        taken.add(event.id)
        for position, (publication_id, score, reasons) in enumerate(group.members):
            session.add(
                EventMember(
                    event_id=event.id,
                    publication_id=publication_id,
                    position=position,
                    score=score,
                    reasons=reasons,
                    terms=group.terms.get(publication_id),
                )
            )
    removed = 0
    for event in old:
        if event.id not in taken:
            session.delete(event)
            removed += 1
    session.flush()
    session.expire_all()
    return created, kept, removed


@dataclass
class EventRow:
    id: int
    title: str
    commitments: list[str]
    first_published_at: datetime | None
    confirmed: bool
    publications: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "commitments": self.commitments,
            "first_published_at": self.first_published_at.isoformat() if self.first_published_at else None,
            "confirmed": self.confirmed,
            "publications": self.publications,
        }


def _rows(session: Session, events: Sequence[Event]) -> list[EventRow]:
    ids = [m.publication_id for e in events for m in e.members]
    slugs: dict[int, set[str]] = defaultdict(set)
    for publication_id, slug in session.execute(
        select(Evidence.publication_id, Commitment.slug)
        .join(Commitment, Commitment.id == Evidence.commitment_id)
        .where(Evidence.publication_id.in_(ids), Evidence.review_state != "rejected")
    ):
        slugs[publication_id].add(slug)
    publications = {
        p.id: (p, s)
        for p, s in session.execute(
            select(Publication, Source.slug)
            .join(Source, Source.id == Publication.source_id)
            .where(Publication.id.in_(ids))
        )
    }
    out = []
    for event in events:
        members = []
        commitments: set[str] = set()
        for member in event.members:
            publication, source = publications[member.publication_id]
            commitments |= slugs[member.publication_id]
            members.append(
                {
                    "url": publication.url,
                    "title": publication.title,
                    "source": source,
                    "language": publication.language,
                    "published_at": publication.published_at.isoformat()
                    if publication.published_at
                    else None,
                    "date_precision": publication.date_precision,
                    "score": member.score,
                }
            )
        out.append(
            EventRow(
                event.id, event.title, sorted(commitments), event.first_published_at, event.confirmed, members
            )
        )
    return out


def list_events(
    session: Session,
    commitment: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EventRow]:
    """Events newest first; with `commitment`, those with at least one publication linked to it."""
    query = (
        select(Event)
        .options(selectinload(Event.members))
        .order_by(Event.first_published_at.desc().nulls_last(), Event.id.desc())
    )
    if since is not None:
        query = query.where(Event.first_published_at >= since)
    if commitment is not None:
        linked = (
            select(EventMember.event_id)
            .join(Evidence, Evidence.publication_id == EventMember.publication_id)
            .join(Commitment, Commitment.id == Evidence.commitment_id)
            .where(Commitment.slug == commitment, Evidence.review_state != "rejected")
        )
        query = query.where(Event.id.in_(linked))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return _rows(session, list(session.scalars(query)))


def get_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    if event is None:
        raise NotFound(f"no event {event_id}")
    return event


def event_row(session: Session, event_id: int) -> EventRow:
    return _rows(session, [get_event(session, event_id)])[0]
