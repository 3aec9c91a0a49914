"""The week's content for the digests, read once per period as plain data.

Loaded once and filtered per subscriber in Python (digests.build): with 10,000
subscribers the database is asked a handful of questions per period, not per
person. Everything returned is plain dicts, safe to use after the session closes.

A period holds what was *published* in it, plus late finds: evidence first found in
it for publications published earlier (or undated), marked `late`. Evidence another
digest already carried (storage.digest_ledger) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from storage.dateprecision import local_day
from storage.health import run_health, worst
from storage.models import Commitment, CrawlRun, Evidence, Publication, Source, StatusChange

POSITIVE = ("progress", "achieved")

NOT_CRAWLED = "not crawled"  # no run this week: no verdict, not a health word

FINAL_STATUSES = ("achieved", "broken")
SETTLED = ("achieved", "partially_achieved", "broken")  # no deadline to chase any more


@dataclass
class WeekData:
    """What happened in [start, end); each item carries the keys the subscriber filters use."""

    start: datetime
    end: datetime
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    other_publications: list[dict[str, Any]] = field(default_factory=list)
    silent: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    # Every commitment with its status at the period's end, for the counts by status.
    standing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.status_changes or self.evidence or self.other_publications)


def _commitment(c: Commitment) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "title": {"fr": c.title_fr, "en": c.title_en},
        "theme": c.theme,
        "status": c.status,
        "deadline": c.deadline,
    }


def _in_period(start: datetime, end: datetime, found: Any) -> ColumnElement[bool]:
    """Published in [start, end), or first found in it and published earlier (or undated)."""
    return or_(
        and_(Publication.published_at >= start, Publication.published_at < end),
        and_(
            found >= start,
            found < end,
            or_(Publication.published_at < start, Publication.published_at.is_(None)),
        ),
    )


def _late(published: datetime | None, start: datetime) -> bool:
    return published is not None and published < start


def _status_changes(
    session: Session, start: datetime, end: datetime, exclude: set[int]
) -> list[dict[str, Any]]:
    """Changes holding from a date in the period, or recorded in it (a review of older evidence)."""
    rows = session.scalars(
        select(StatusChange)
        .where(
            or_(
                and_(StatusChange.changed_at >= start, StatusChange.changed_at < end),
                and_(StatusChange.recorded_at >= start, StatusChange.recorded_at < end),
            )
        )
        .options(
            joinedload(StatusChange.commitment),
            joinedload(StatusChange.evidence).joinedload(Evidence.publication).joinedload(Publication.source),
        )
        .order_by(StatusChange.changed_at, StatusChange.id)
    )
    out = []
    for s in rows:
        if s.evidence_id is not None and s.evidence_id in exclude:
            continue
        pub = s.evidence.publication if s.evidence is not None else None
        out.append(
            {
                "commitment": _commitment(s.commitment),
                "old_status": s.old_status,
                "new_status": s.new_status,
                "changed_at": s.changed_at,
                "late": s.changed_at < start,
                "changed_by": s.changed_by,
                "note": s.note,
                "evidence_id": s.evidence_id,
                "signal": s.evidence.signal if s.evidence is not None else None,
                "excerpt": s.evidence.excerpt if s.evidence is not None else "",
                "evidence_url": pub.url if pub else None,
                "evidence_title": pub.title if pub else None,
                "published_at": pub.published_at if pub else None,
                "date_precision": pub.date_precision if pub else None,
                "source": pub.source.slug if pub else None,
                "source_name": pub.source.name if pub else None,
            }
        )
    return out


def _evidence(session: Session, start: datetime, end: datetime, exclude: set[int]) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Evidence)
        .join(Evidence.publication)
        .where(_in_period(start, end, Evidence.created_at), Evidence.review_state != "rejected")
        .options(
            joinedload(Evidence.publication).joinedload(Publication.source),
            joinedload(Evidence.commitment),
        )
        .order_by(Publication.published_at.desc().nulls_last(), Evidence.id.desc())
    )
    return [
        {
            "evidence_id": e.id,
            "commitment": _commitment(e.commitment),
            "title": e.publication.title,
            "url": e.publication.url,
            "source": e.publication.source.slug,
            "source_name": e.publication.source.name,
            "published_at": e.publication.published_at,
            "date_precision": e.publication.date_precision,
            "late": _late(e.publication.published_at, start),
            "found_at": e.created_at,
            "excerpt": e.excerpt,
            "matched_terms": list(e.matched_terms),
            "signal": e.signal,
            "score": e.score,
        }
        for e in rows.unique()
        if e.id not in exclude
    ]


def _other_publications(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    linked = select(Evidence.publication_id).where(Evidence.review_state != "rejected")
    rows = session.scalars(
        select(Publication)
        .where(_in_period(start, end, Publication.first_seen_at), Publication.id.not_in(linked))
        .options(joinedload(Publication.source))
        .order_by(Publication.published_at.desc().nulls_last(), Publication.id.desc())
    )
    return [
        {
            "title": p.title,
            "url": p.url,
            "source": p.source.slug,
            "source_name": p.source.name,
            "published_at": p.published_at,
            "date_precision": p.date_precision,
            "late": _late(p.published_at, start),
        }
        for p in rows
    ]


def silent_commitments(session: Session, end: datetime, silent_after_weeks: int) -> list[dict[str, Any]]:
    """Open commitments with no evidence for `silent_after_weeks` (made long enough ago)."""
    cutoff = end - timedelta(weeks=silent_after_weeks)
    last = dict(
        session.execute(
            select(Evidence.commitment_id, func.max(Evidence.created_at))
            .where(Evidence.review_state != "rejected", Evidence.created_at < end)
            .group_by(Evidence.commitment_id)
        )
        .tuples()
        .all()
    )
    out = []
    for c in session.scalars(select(Commitment).order_by(Commitment.id)):
        if c.status in FINAL_STATUSES or c.made_on > cutoff.date():
            continue
        seen = last.get(c.id)
        if seen is None or seen < cutoff:
            out.append({"commitment": _commitment(c), "last_evidence_at": seen})
    return out


def _accepted_progress(session: Session) -> list[tuple[int, date, date]]:
    """(commitment, publication day, deadline) of accepted progress evidence on commitments with a deadline."""
    rows = session.execute(
        select(Evidence.commitment_id, Publication.published_at, Commitment.deadline)
        .join(Publication, Publication.id == Evidence.publication_id)
        .join(Commitment, Commitment.id == Evidence.commitment_id)
        .where(
            Evidence.review_state == "accepted",
            Evidence.signal.in_(POSITIVE),
            Commitment.deadline.is_not(None),
            Publication.published_at.is_not(None),
        )
    )
    return [(cid, local_day(published), deadline) for cid, published, deadline in rows]


def deadlines_met(session: Session) -> set[int]:
    """Commitments whose deadline accepted progress evidence met: published on or before that day."""
    return {cid for cid, day, deadline in _accepted_progress(session) if day <= deadline}


def progress_reported(session: Session) -> set[int]:
    """Commitments with a deadline and accepted, dated progress evidence: a passed deadline of
    theirs is not overdue (met in time, or met late: it happened)."""
    return {cid for cid, _, _ in _accepted_progress(session)}


def _deadlines(
    session: Session, today: date, horizon_days: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Deadlines ahead and overdue, leaving out those accepted evidence met (or a final status settled).

    A passed deadline that accepted progress evidence met late (published after it) is not
    overdue either: it happened; counting days of delay since the deadline would be false.
    """
    ahead, overdue = [], []
    accepted = _accepted_progress(session)
    met = {cid for cid, day, deadline in accepted if day <= deadline}
    happened = {cid for cid, _, _ in accepted}
    rows = session.scalars(
        select(Commitment)
        .where(Commitment.deadline.is_not(None))
        .order_by(Commitment.deadline, Commitment.id)
    )
    for c in rows:
        assert c.deadline is not None
        if c.id in met or c.status in SETTLED or (c.deadline < today and c.id in happened):
            continue
        item = {
            "commitment": _commitment(c),
            "deadline": c.deadline,
            "days": (c.deadline - today).days,
            "note": {"fr": c.deadline_note_fr, "en": c.deadline_note_en},
        }
        if c.deadline < today:
            overdue.append(item)
        elif c.deadline <= today + timedelta(days=horizon_days):
            ahead.append(item)
    return ahead, overdue


def standing(session: Session, end: datetime) -> list[dict[str, Any]]:
    """Every commitment with the status it held at `end` (the last change holding from before it)."""
    held: dict[int, str] = {}
    for cid, status in session.execute(
        select(StatusChange.commitment_id, StatusChange.new_status)
        .where(StatusChange.changed_at < end)
        .order_by(StatusChange.changed_at, StatusChange.id)
    ):
        held[cid] = status
    return [
        {**_commitment(c), "status": held.get(c.id, "not_rated")}
        for c in session.scalars(select(Commitment).order_by(Commitment.id))
    ]


def _source_health(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Each enabled source's health over the week, in the words everything else uses (storage.health)."""
    runs: dict[int, list[CrawlRun]] = {}
    for run in session.scalars(
        select(CrawlRun)
        .where(CrawlRun.started_at >= start, CrawlRun.started_at < end)
        .order_by(CrawlRun.started_at)
    ):
        runs.setdefault(run.source_id, []).append(run)
    out = []
    for s in session.scalars(select(Source).where(Source.enabled.is_(True)).order_by(Source.id)):
        if s.slug == "manual":
            continue
        mine = [r for r in runs.get(s.id, []) if r.status != "running"]
        failed = [r for r in mine if r.status == "failed"]
        week = worst([run_health(r) for r in mine])
        out.append(
            {
                "slug": s.slug,
                "name": s.name,
                "health": week.word if mine else NOT_CRAWLED,
                "reasons": list(week.reasons),
                "runs": len(mine),
                "failed": len(failed),
                "new": sum(r.new for r in mine),
                "last_error": failed[-1].error_summary if failed else None,
            }
        )
    return out


def week_data(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    deadline_horizon_days: int = 60,
    silent_after_weeks: int = 12,
    today: date | None = None,
    exclude: set[int] | None = None,
) -> WeekData:
    """Everything a digest for [start, end) may show, unfiltered; `exclude`: evidence sent elsewhere."""
    ahead, overdue = _deadlines(session, today or end.date(), deadline_horizon_days)
    exclude = exclude or set()
    return WeekData(
        start=start,
        end=end,
        status_changes=_status_changes(session, start, end, exclude),
        evidence=_evidence(session, start, end, exclude),
        other_publications=_other_publications(session, start, end),
        silent=silent_commitments(session, end, silent_after_weeks),
        deadlines=ahead,
        overdue=overdue,
        sources=_source_health(session, start, end),
        standing=standing(session, end),
    )
