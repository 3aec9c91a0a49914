"""Sending a period's digest to every active subscriber, exactly once each.

The ledger (storage.deliveries) makes the loop resumable: rows are created for
every subscriber who gets a digest, each row is claimed (pending → sending) in
its own committed transaction before the SMTP conversation and marked after it (in
the transaction that claims the next row, or at the end of the run).

What a failure does depends on when it happened:

- before DATA (connection, greeting, MAIL): retried in the run with backoff; if the
  server stays away the run stops and the rest stays queued for the next one;
- one recipient deferred (4xx to RCPT): that row waits `digest.defer_minutes`
  (doubling, `digest.defer_attempts` times at most) and the run goes on;
- refused for good (5xx): that row is failed, the address marked bouncing if RCPT said so;
- after the message was handed over (DATA sent, the answer lost or late): the row
  stays `sending`, is never sent again by itself, and is listed with its Message-ID
  (`digest unsettled`) for a person to settle.

A crash leaves rows `sending` too, for the same reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from digests.build import DigestContent, Filters, build
from digests.mailer import MailError, Transport, open_transport
from digests.messages import new_message_id
from digests.periods import Period, resolve
from digests.raw_message import DigestTemplate
from digests.render import MAX_HTML_BYTES, Rendered, render_digest
from digests.subscriptions import normalise_email
from digests.tokens import digest_links, manage_url, unsubscribe_url
from storage import deliveries, digest_ledger, subscribers
from storage.db import session_scope
from storage.digest_data import WeekData, week_data
from storage.models import utcnow
from summitwatch.config import Settings, get_settings

log = logging.getLogger(__name__)

MANAGE_SLOT = "https://summitwatch.invalid/manage-link"
UNSUBSCRIBE_SLOT = "https://summitwatch.invalid/unsubscribe-link"


@dataclass
class SendReport:
    """What a run did; `stuck` lists rows left `sending` for a person to settle."""

    period: str
    dry_run: bool = False
    active: int = 0
    to_send: int = 0
    skipped: int = 0
    queued: int = 0
    attempted: int = 0
    sent: int = 0
    failed_retryable: int = 0
    failed_permanent: int = 0
    already_sent: int = 0
    remaining: int = 0
    deferred: int = 0
    unsettled: int = 0
    stopped: str | None = None
    stuck: list[dict[str, Any]] = field(default_factory=list)
    waiting: int = 0  # deferred rows of this digest not yet due
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.stopped is None and not self.failed_retryable and not self.stuck and not self.waiting

    @property
    def attention(self) -> bool:
        """Nothing broke, but rows wait: deferred recipients or messages whose fate is unknown."""
        return self.stopped is None and bool(self.stuck or self.waiting)


@dataclass(frozen=True)
class Recipient:
    """A plain copy of a subscriber row, usable after its session closed."""

    id: int
    email: str
    language: str
    token_version: int
    filters: Filters


def load_week(session: Any, period: Period, settings: Settings, *, exclude_sent: bool = True) -> WeekData:
    """The period's content; evidence another digest already carried is left out unless asked."""
    return week_data(
        session,
        period.start,
        period.end,
        deadline_horizon_days=settings.digest.deadline_horizon_days,
        silent_after_weeks=settings.tracker.silent_after_weeks,
        exclude=set(digest_ledger.claimed_elsewhere(session, period.key)) if exclude_sent else None,
    )


def carried(week: WeekData) -> list[tuple[int, bool]]:
    """(evidence id, late) of everything the period's digest carries, for the ledger."""
    items = [(e["evidence_id"], bool(e["late"])) for e in week.evidence]
    items += [(c["evidence_id"], bool(c["late"])) for c in week.status_changes if c["evidence_id"]]
    return items


def compose(
    week: WeekData, period: Period, filters: Filters, language: str, settings: Settings
) -> tuple[DigestContent, Rendered] | None:
    """Build and render one view of the week, shrinking long sections until the HTML fits 100 KB."""
    max_evidence = settings.digest.max_evidence_items
    max_other = settings.digest.max_other_publications
    while True:
        content = build(
            week,
            period,
            filters,
            language,
            base_url=settings.base_url,
            max_evidence=max_evidence,
            max_other=max_other,
            deadline_days=settings.digest.deadline_horizon_days,
        )
        if content is None:
            return None
        rendered = render_digest(content, MANAGE_SLOT, UNSUBSCRIBE_SLOT)
        if rendered.html_bytes <= MAX_HTML_BYTES - 1000 or (max_evidence <= 1 and max_other <= 1):
            return content, rendered
        max_evidence, max_other = max(1, max_evidence // 2), max(1, max_other // 2)


def personalise(rendered: Rendered, recipient: Any) -> Rendered:
    """Put the recipient's signed links into the shared rendering (tokens are URL-safe: no escaping)."""
    manage, leave = manage_url(recipient), unsubscribe_url(recipient)
    return Rendered(
        subject=rendered.subject,
        html=rendered.html.replace(MANAGE_SLOT, manage).replace(UNSUBSCRIBE_SLOT, leave),
        text=rendered.text.replace(MANAGE_SLOT, manage).replace(UNSUBSCRIBE_SLOT, leave),
    )


def _recipients(session: Any) -> list[Recipient]:
    out = []
    for s in subscribers.active_subscribers(session):
        prefs = s.preferences
        filters = (
            Filters.of(prefs.themes, prefs.commitments, prefs.sources, prefs.send_empty)
            if prefs
            else Filters()
        )
        out.append(Recipient(s.id, s.email, s.language, s.token_version, filters))
    return out


def _send_with_retries(transport: Transport, message: Any, recipient: str, settings: Settings) -> None:
    """Failures before the message was handed over, for the whole connection (not one recipient's
    4xx), are retried with exponential backoff; anything else goes back to the caller at once."""
    retries = settings.digest.send_retries
    for attempt in range(retries + 1):
        try:
            transport.send(message, recipient)
            return
        except MailError as exc:
            if exc.permanent or exc.rcpt or exc.handed_over or attempt == retries:
                raise
            delay = settings.digest.retry_backoff_seconds * (2**attempt)
            log.info("transient failure to %s (%s); retrying in %.1fs", recipient, exc, delay)
            time.sleep(delay)


def _defer_until(attempts: int, settings: Settings) -> datetime:
    minutes = settings.digest.defer_minutes * (2 ** max(attempts - 1, 0))
    return utcnow() + timedelta(minutes=min(minutes, 24 * 60))


def _settle_failure(
    exc: MailError,
    delivery_id: int,
    attempts: int,
    recipient: Recipient,
    settings: Settings,
    report: SendReport,
) -> bool:
    """Record one failed attempt; True when the run must stop (the server is away)."""
    with session_scope() as session:
        if exc.handed_over:
            deliveries.mark_unsettled(session, delivery_id, str(exc))
            report.unsettled += 1
            log.warning("digest to subscriber %s handed over, answer lost: left for a person", recipient.id)
            return False
        if exc.rcpt and not exc.permanent and attempts < settings.digest.defer_attempts:
            deliveries.mark_failed(
                session,
                delivery_id,
                permanent=False,
                error=str(exc),
                code=exc.code,
                not_before=_defer_until(attempts, settings),
            )
            report.deferred += 1
            return False
        permanent = exc.permanent or exc.rcpt
        deliveries.mark_failed(session, delivery_id, permanent=permanent, error=str(exc), code=exc.code)
        if permanent:
            if exc.rcpt and exc.permanent:
                subscribers.mark_bouncing(session, recipient.id, str(exc))
            report.failed_permanent += 1
            log.warning("digest to subscriber %s refused for good: %s", recipient.id, exc)
            return False
    report.failed_retryable += 1
    report.stopped = f"transient mail failure, the rest stays queued: {exc}"
    log.warning("stopping the run: %s", exc)
    return True


def send_digest(
    period: str | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    transport: str | None = None,
) -> SendReport:
    """Send the period's digest (default: the last complete ISO week) to whoever has not got it yet."""
    settings = get_settings()
    started = time.monotonic()
    the_period = resolve(period)
    report = SendReport(period=the_period.key, dry_run=dry_run)

    with session_scope() as session:
        week = load_week(session, the_period, settings)
        recipients = _recipients(session)
        existing = deliveries.find_digest(session, the_period.key)
        sent_before = set() if existing is None else deliveries.sent_subscriber_ids(session, existing.id)

    views: dict[tuple[Any, ...], tuple[DigestContent, Rendered] | None] = {}
    templates: dict[tuple[Any, ...], DigestTemplate] = {}
    chosen: dict[int, tuple[Recipient, DigestTemplate]] = {}
    for r in recipients:
        key = (r.language, r.filters.key)
        if key not in views:
            views[key] = compose(week, the_period, r.filters, r.language, settings)
        view = views[key]
        if view is None:
            report.skipped += 1
            continue
        if key not in templates:
            templates[key] = DigestTemplate(
                view[1], settings, manage_slot=MANAGE_SLOT, unsubscribe_slot=UNSUBSCRIBE_SLOT
            )
        chosen[r.id] = (r, templates[key])
    report.active = len(recipients)
    report.to_send = len(chosen)
    report.already_sent = len(sent_before & chosen.keys())

    if dry_run:
        report.remaining = report.to_send - report.already_sent
        report.seconds = time.monotonic() - started
        return report

    with session_scope() as session:
        digest_id = deliveries.get_or_create_digest(session, the_period.key, the_period.start, the_period.end)
        digest_ledger.claim(session, digest_id, carried(week))
        report.queued = deliveries.enqueue(session, digest_id, list(chosen))
    with session_scope() as session:
        due = deliveries.due_deliveries(session, digest_id)

    total = len(due)
    if progress:
        progress(0, total)
    accepted = _Accepted(report)
    try:
        with open_transport(transport, settings) as channel:
            for done, (delivery_id, subscriber_id) in enumerate(due, start=1):
                if not _deliver(
                    channel, delivery_id, chosen.get(subscriber_id), accepted, the_period, settings
                ):
                    break
                if progress:
                    progress(done, total)
    finally:
        accepted.record()  # the last message accepted, or the one before an early stop

    with session_scope() as session:
        report.remaining = len(deliveries.due_deliveries(session, digest_id))
        report.stuck = deliveries.stuck_deliveries(session, the_period.key)
        report.waiting = deliveries.deferred_count(session, digest_id)
    report.seconds = time.monotonic() - started
    return report


class _Accepted:
    """The delivery the server last accepted, marked `sent` in the transaction that claims the next.

    One transaction per delivery instead of two, and no wider window: the mark is committed
    before the next message is handed over, and `record` commits it at the end of the run
    (or of an early stop). A crash before that commit leaves the row `sending`, as a crash
    between the server's 250 and its own commit always did.
    """

    def __init__(self, report: SendReport) -> None:
        self.report = report
        self.pending: tuple[int, str] | None = None

    def mark(self, session: Any) -> None:
        """Mark the pending row sent inside `session`'s transaction (counted once it commits)."""
        if self.pending is not None:
            deliveries.mark_sent(session, *self.pending)

    def committed(self) -> None:
        if self.pending is not None:
            self.report.sent += 1
            self.pending = None

    def record(self) -> None:
        if self.pending is not None:
            with session_scope() as session:
                self.mark(session)
            self.committed()


def _deliver(
    channel: Transport,
    delivery_id: int,
    picked: tuple[Recipient, DigestTemplate] | None,
    accepted: _Accepted,
    the_period: Period,
    settings: Settings,
) -> bool:
    """Claim one row (with the previous success marked), send, record a failure; False: stop the run."""
    report = accepted.report
    if picked is None:
        # Unsubscribed, bouncing or filtered out since the row was queued.
        with session_scope() as session:
            accepted.mark(session)
            deliveries.mark_failed(session, delivery_id, permanent=True, error="no longer to be sent")
        accepted.committed()
        report.failed_permanent += 1
        return True
    recipient, template = picked
    message_id = new_message_id(settings, f"digest-{the_period.key}-{delivery_id}")
    manage, leave, one_click = digest_links(recipient)
    message = template.message(
        recipient.email,
        message_id=message_id,
        manage_url=manage,
        unsubscribe_url=leave,
        one_click_url=one_click,
    )
    with session_scope() as session:
        accepted.mark(session)
        attempts = deliveries.claim_attempt(session, delivery_id, message_id)
    accepted.committed()
    if attempts is None:
        return True  # another process took it
    report.attempted += 1
    try:
        _send_with_retries(channel, message, recipient.email, settings)
    except MailError as exc:
        return not _settle_failure(exc, delivery_id, attempts, recipient, settings, report)
    accepted.pending = (delivery_id, message_id)
    return True


def preview_digest(
    the_period: Period, language: str | None = None, email: str | None = None
) -> tuple[Rendered | None, str]:
    """One digest as it would be sent (a subscriber's filters and links, or everything, unfiltered).

    Returns the rendering (None when that subscriber would get nothing) and a note
    saying whose view it is.
    """
    settings = get_settings()
    with session_scope() as session:
        # The preview shows the whole period, also what another digest already carried.
        week = load_week(session, the_period, settings, exclude_sent=False)
        sent_elsewhere = digest_ledger.claimed_elsewhere(session, the_period.key)
        recipient: Recipient | None = None
        if email:
            row = subscribers.find_by_email(session, normalise_email(email))
            if row is None:
                raise LookupError(f"no subscriber with address {email!r}")
            prefs = row.preferences
            filters = (
                Filters.of(prefs.themes, prefs.commitments, prefs.sources, prefs.send_empty)
                if prefs
                else Filters()
            )
            recipient = Recipient(row.id, row.email, row.language, row.token_version, filters)
    lang = language or (recipient.language if recipient else "fr")
    view = compose(week, the_period, recipient.filters if recipient else Filters(), lang, settings)
    if view is None:
        return None, f"{email} would get no digest for {the_period.key} (filters or empty-digest opt-out)"
    rendered = view[1]
    overlap = sum(1 for item, _ in carried(week) if item in sent_elsewhere)
    aside = (
        f"; {overlap} of its items already went out in another digest (a send leaves them out)"
        if overlap
        else ""
    )
    if recipient is not None:
        note = f"digest {the_period.key} for {recipient.email} ({lang}){aside}"
        return personalise(rendered, recipient), note
    sample = Rendered(
        subject=rendered.subject,
        html=rendered.html.replace(MANAGE_SLOT, f"{settings.base_url}/manage").replace(
            UNSUBSCRIBE_SLOT, f"{settings.base_url}/unsubscribe"
        ),
        text=rendered.text.replace(MANAGE_SLOT, f"{settings.base_url}/manage").replace(
            UNSUBSCRIBE_SLOT, f"{settings.base_url}/unsubscribe"
        ),
    )
    return sample, f"digest {the_period.key}, all content, unfiltered ({lang}){aside}"
