"""Alerts between two digests: queue each new event for each channel, send what is due, once.

Whoever runs matching calls `send_alerts` right after it (the scheduler's crawl job,
the `match` command), and the scheduler's `alerts` job calls it every few minutes for
retries and for status changes made by reviewers. It never raises for a channel's
failure: a channel that fails stops for this pass (its next rows stay queued), the
other channels go on, and the failed row is tried again after a doubling wait.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from digests.alert_channels import AlertConfigError, Channel, PostResult, parse_channels, post
from digests.i18n import Translator
from digests.render import environment
from storage import alerts as ledger
from storage.alert_events import collect
from storage.db import session_scope
from storage.models import utcnow
from summitwatch.config import Settings, get_settings

log = logging.getLogger(__name__)

SCAN_WINDOW = timedelta(days=14)  # an event never queued within two weeks is left to the digest
NOTIFY_KIND = {"setback": "warning", "status_change": "info", "source_failing": "failure"}

__all__ = [
    "AlertConfigError",
    "AlertReport",
    "configured_channels",
    "render_alert",
    "send_alerts",
    "send_test",
]


@dataclass
class AlertReport:
    """What one pass did."""

    channels: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    unconfirmed: int = 0
    abandoned: int = 0
    waiting: int = 0
    held_back: int = 0
    needs_a_person: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        if not self.channels:
            return "alerts: none configured"
        text = f"alerts: {self.queued} new, {self.sent} sent to {Translator('en')('channels_n', n=self.channels)}"
        if self.failed:
            text += f", {self.failed} failed (retried later)"
        if self.abandoned:
            text += f", {self.abandoned} abandoned after the last try"
        if self.waiting:
            text += f", {self.waiting} waiting for a retry"
        if self.held_back:
            text += f", {self.held_back} left for the next pass (alerts.max_per_pass)"
        if self.needs_a_person:
            text += f", {self.needs_a_person} maybe delivered (settle with `summitwatch alerts list`)"
        return text


def configured_channels(settings: Settings | None = None) -> list[Channel]:
    """The settings' Apprise URLs as channels; AlertConfigError names the first malformed one."""
    settings = settings or get_settings()
    return parse_channels(settings.alerts.urls, settings.alerts.timeout_seconds)


def register_channels(channels: list[Channel]) -> list[ledger.ChannelRow]:
    """Record the channels (new ones start receiving from now): call it before matching."""
    if not channels:
        return []
    with session_scope() as session:
        return ledger.register_channels(session, [(c.key, c.label, c.service) for c in channels])


# -- the message --------------------------------------------------------------------------


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def render_alert(kind: str, payload: dict[str, Any], language: str, base_url: str) -> tuple[str, str, str]:
    """Title, text body (chat services) and HTML body (mail-like services) of one alert."""
    t = Translator(language)

    def title_of(commitment: dict[str, Any]) -> str:
        return str(commitment["title"].get(t.language) or commitment["title"].get("fr") or commitment["slug"])

    evidence = payload.get("evidence")
    published = ""
    if evidence:
        pub = evidence["publication"]
        published = t.publication_date(_parse(pub.get("published_at")), pub.get("date_precision"))
    commitment = payload.get("commitment")
    if kind == "setback":
        title = t("alert_setback_title", commitment=title_of(commitment))
    elif kind == "status_change":
        title = t(
            "alert_status_title",
            commitment=title_of(commitment),
            old=t.status(payload["old_status"]),
            new=t.status(payload["new_status"]),
        )
    elif kind == "source_failing":
        title = t("alert_failing_title", source=payload["source"]["name"])
    else:
        title = t("alert_test_title")
    values = {
        "t": t,
        "kind": kind,
        "p": payload,
        "e": evidence,
        "published": published,
        "title_of": title_of,
        "commitment_url": f"{base_url}/commitments/{commitment['slug']}" if commitment else None,
        "sources_url": f"{base_url}/sources",
        "home_url": f"{base_url}/",
    }
    env = environment()
    text = env.get_template("alert.txt").render(values)
    html = env.get_template("alert.html").render(values)
    return title, _tidy(text), html.strip()


def _tidy(text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    return "\n".join(lines).strip()


# -- the pass -----------------------------------------------------------------------------


def send_alerts(settings: Settings | None = None, channels: list[Channel] | None = None) -> AlertReport:
    """Queue what happened since each channel exists, then send what is due; returns what it did."""
    settings = settings or get_settings()
    started = time.monotonic()
    report = AlertReport()
    if not settings.alerts.urls:
        return report
    channels = channels if channels is not None else configured_channels(settings)
    rows = register_channels(channels)
    by_key = {row.key: row for row in rows}
    report.channels = len(rows)
    if not rows:
        return report
    since = max(min(row.created_at for row in rows), utcnow() - SCAN_WINDOW)
    with session_scope() as session:
        events = collect(
            session,
            since,
            settings.alerts.kinds,
            max_publication_age_days=settings.alerts.max_publication_age_days,
            known=ledger.queued_everywhere(session, [row.id for row in rows], since),
        )
        for row in rows:
            report.queued += ledger.enqueue(session, row, events)
    for channel in channels:
        row = by_key.get(channel.key)
        if row is not None:
            _send_channel(channel, row, settings, report)
    with session_scope() as session:
        counts = ledger.count_by_state(session)
    report.waiting = counts["failed"]
    report.needs_a_person = counts["unconfirmed"]
    report.seconds = time.monotonic() - started
    return report


def _send_channel(channel: Channel, row: ledger.ChannelRow, settings: Settings, report: AlertReport) -> None:
    """Send the channel's due rows in order; the first failure ends this channel's turn."""
    plan = settings.alerts
    with session_scope() as session:
        due = ledger.due_alerts(session, row.id)
    if len(due) > plan.max_per_pass:
        report.held_back += len(due) - plan.max_per_pass
        due = due[: plan.max_per_pass]
    for alert_id in due:
        with session_scope() as session:
            won = ledger.claim(session, alert_id)
        if won is None:
            continue  # another process took it
        kind, payload = won
        try:
            title, text, html = render_alert(kind, payload, plan.language, settings.base_url)
        except Exception as exc:  # a payload this version cannot render: fail the row, keep going
            result = PostResult(False, False, f"cannot render the message: {type(exc).__name__}: {exc}")
        else:
            result = post(channel, title, text, html, NOTIFY_KIND.get(kind, "info"))
        with session_scope() as session:
            if result.ok:
                ledger.mark_sent(session, alert_id)
                report.sent += 1
                continue
            if result.maybe_delivered:
                ledger.mark_unconfirmed(session, alert_id, result.error)
                report.unconfirmed += 1
                state = "unconfirmed"
            else:
                state = ledger.mark_failed(
                    session,
                    alert_id,
                    result.error,
                    max_attempts=plan.max_attempts,
                    backoff=plan.retry_backoff_seconds,
                    max_backoff=plan.max_backoff_seconds,
                )
                if state == "abandoned":
                    report.abandoned += 1
                else:
                    report.failed += 1
        problem = f"alert #{alert_id} to {channel.label}: {state}: {result.error}"
        report.problems.append(problem)
        log.warning("%s", problem)
        return


def send_test(settings: Settings | None = None) -> list[tuple[Channel, PostResult]]:
    """One test message to each configured channel, outside the ledger; what each answered."""
    settings = settings or get_settings()
    title, body, html = render_alert("test", {}, settings.alerts.language, settings.base_url)
    return [(c, post(c, title, body, html, "info")) for c in configured_channels(settings)]
