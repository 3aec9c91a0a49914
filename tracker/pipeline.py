"""Matching what is new or changed, in batches that commit as they go.

Idempotent by construction: a link is one row per (publication, commitment); an
unreviewed link is refreshed or removed when the text or the baseline changes;
accepted and rejected links keep the reviewer's decision.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage.dateprecision import PARIS
from storage.db import Session, session_scope
from storage.evidence import (
    commitments_for_matching,
    count_pending,
    links_of,
    matched_marker,
    pending_batch,
    source_languages,
)
from storage.models import Commitment, Evidence, Publication, utcnow
from storage.status import holds_from
from summitwatch.config import TrackerSettings, get_settings
from tracker.deadline_rule import apply_deadline_rule
from tracker.event_grouping import regroup
from tracker.matching import Document, Link, Matcher
from tracker.profiles import build_profiles, fingerprint
from tracker.workflow import AUTO, apply_proposal, propose, still_proposes

Progress = Callable[[int, int], None]


@dataclass
class MatchReport:
    publications: int = 0
    links_new: int = 0
    links_updated: int = 0
    links_removed: int = 0
    decisions_kept: int = 0
    proposals: int = 0
    auto_applied: int = 0
    events: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        text = (
            f"{self.publications} publications, {self.links_new} new links, {self.links_updated} updated, "
            f"{self.links_removed} removed, {self.proposals} proposals"
        )
        if self.auto_applied:
            text += f" ({self.auto_applied} applied automatically)"
        if self.decisions_kept:
            text += f", {self.decisions_kept} reviewed links kept"
        text += f" in {self.seconds:.1f}s"
        return text + (f"; events: {self.events}" if self.events else "")


def build_matcher(commitments: list[Commitment]) -> Matcher:
    return Matcher(build_profiles(commitments), get_settings().tracker.threshold)


def document_of(publication: Publication, source_language: str = "fr") -> Document:
    return Document(
        title=publication.title,
        body=publication.body or "",
        summary=publication.summary,
        language=publication.language,
        published_at=publication.published_at,
        source_language=source_language,
        date_precision=publication.date_precision,
    )


def _fill(evidence: Evidence, link: Link, matcher: Matcher, commitment: Commitment) -> None:
    evidence.score = link.score
    evidence.signal = link.signal
    evidence.excerpt = link.excerpt
    evidence.matched_terms = link.matched_terms
    evidence.cue = link.cue.cue if link.cue else None
    evidence.explanation = link.explanation(matcher.threshold)
    evidence.background = link.background
    evidence.updated_at = utcnow()
    if evidence.review_state == "unreviewed":
        evidence.proposed_status = propose(
            link.signal,
            commitment.status,
            breaks=link.breaks,
            background=link.background,
        )


def match_pending(
    since: datetime | None = None,
    rematch: bool = False,
    progress: Progress | None = None,
    batch_size: int = 200,
) -> MatchReport:
    """Match every publication not yet matched as it now reads against the baseline as it now is."""
    started = time.monotonic()
    settings = get_settings().tracker
    report = MatchReport()
    with session_scope() as session:
        matcher = build_matcher(commitments_for_matching(session))
        mark = fingerprint(matcher.profiles.values(), matcher.threshold, matcher.models.digest())
        total = count_pending(session, mark, since, rematch)
        languages = source_languages(session)
    if progress:
        progress(0, total)
    after_id = 0
    matched: list[int] = []
    while True:
        with session_scope() as session:
            batch = pending_batch(session, mark, since, rematch, after_id, batch_size)
            if not batch:
                break
            commitments = {c.slug: c for c in commitments_for_matching(session)}
            existing = links_of(session, [p.id for p in batch])
            holding: dict[int, datetime | None] = {}
            for publication in batch:
                matched.append(publication.id)
                _match_one(
                    session, publication, matcher, commitments, existing, languages, settings, report, holding
                )
                publication.matched_hash = matched_marker(publication.content_hash, mark)
            after_id = batch[-1].id
            report.publications += len(batch)
        if progress:
            progress(report.publications, total)
    if settings.auto_apply_above is not None:  # no person in the loop: deadlines apply the rule too
        with session_scope() as session:
            report.auto_applied += len(apply_deadline_rule(session, datetime.now(PARIS).date(), AUTO))
    report.seconds = time.monotonic() - started
    if report.publications:
        report.events = regroup(matched).line()
    return report


def _match_one(
    session: Session,
    publication: Publication,
    matcher: Matcher,
    commitments: dict[str, Commitment],
    existing: dict[tuple[int, int], Evidence],
    languages: dict[int, str],
    settings: TrackerSettings,
    report: MatchReport,
    holding: dict[int, datetime | None],
) -> None:
    """One publication's links. Rows are written when the batch commits (one INSERT for many,
    not a flush per link); `holding` remembers each commitment's `holds_from` for the batch and
    forgets it when a proposal applied here moves the status."""
    links = matcher.match(document_of(publication, languages.get(publication.source_id, "fr")))
    linked_ids: set[int] = set()
    for link in links:
        commitment = commitments.get(link.slug)
        if commitment is None:
            continue
        linked_ids.add(commitment.id)
        evidence = existing.get((publication.id, commitment.id))
        if evidence is not None and evidence.review_state != "unreviewed":
            report.decisions_kept += 1
            continue
        if evidence is None:
            evidence = Evidence(
                commitment_id=commitment.id, publication_id=publication.id, review_state="unreviewed"
            )
            evidence.commitment = commitment
            evidence.publication = publication
            session.add(evidence)
            report.links_new += 1
        else:
            report.links_updated += 1
        _fill(evidence, link, matcher, commitment)
        if evidence.proposed_status is not None:  # older than what the status holds on: no move
            if commitment.id not in holding:
                with session.no_autoflush:  # status changes only: the pending links can wait for the commit
                    holding[commitment.id] = holds_from(session, commitment.id)
            evidence.proposed_status = still_proposes(evidence, commitment.status, holding[commitment.id])
        if evidence.proposed_status is not None:
            report.proposals += 1
            threshold = settings.auto_apply_above
            if threshold is not None and evidence.score >= threshold:
                session.flush()  # the status change points at this evidence's id
                apply_proposal(session, evidence, AUTO, note=f"score {evidence.score:.2f} ≥ {threshold}")
                holding.pop(commitment.id, None)
                report.auto_applied += 1
    for (publication_id, commitment_id), evidence in existing.items():
        stale = publication_id == publication.id and commitment_id not in linked_ids
        if stale and evidence.review_state == "unreviewed":
            session.delete(evidence)
            report.links_removed += 1
