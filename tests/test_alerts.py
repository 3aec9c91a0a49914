"""Alerts between two digests, posted to a real webhook on 127.0.0.1 through Apprise's json:// URLs.

On SQLite and PostgreSQL: `match` over real publications sends their setbacks once;
a refused or failing channel is retried after a wait and never gets a duplicate; a
channel that takes the request and never answers is not resent; status changes and a
source turning failing are told once; a malformed URL is one `error:` line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from digests.alerts import send_alerts
from storage import crawls
from storage.db import session_scope
from storage.models import Alert, Commitment, Evidence
from storage.publications import PublicationInput, upsert_publication
from storage.status import set_status
from summitwatch.config import reset_settings
from tests.support.webhook import Webhook

LABELLED = Path(__file__).parent / "data" / "labelled"
CESIA_SEED = "https://www.securite-ia.fr/publications/le-sommet-de-linaction-pour-la-securite-de-lia"
PARIS_STATEMENT = "paris-statement-inclusive-sustainable-ai"


def configure(monkeypatch: pytest.MonkeyPatch, *hooks: Webhook | str, **alerts: str) -> None:
    urls = [h if isinstance(h, str) else h.url for h in hooks]
    monkeypatch.setenv("SUMMITWATCH_ALERTS__URLS", json.dumps(urls))
    for key, value in alerts.items():
        monkeypatch.setenv(f"SUMMITWATCH_ALERTS__{key.upper()}", value)
    reset_settings()


def add_setback(db_url: str, slug: str = "inesia", n: int = 0, excerpt: str | None = None) -> int:
    """A publication and the setback link the tracker would write for it; returns the evidence id."""
    with session_scope(db_url) as session:
        commitment = session.scalar(select(Commitment).where(Commitment.slug == slug))
        assert commitment is not None
        _, publication = upsert_publication(
            session,
            PublicationInput(
                url=f"https://www.securite-ia.fr/publications/inesia-sans-moyens-{n}",
                source="cesia",
                title=f"INESIA : toujours sans moyens ({n})",
                body="L'INESIA ne dispose toujours d'aucun budget propre.",
                published_at=datetime(2026, 1, 30, tzinfo=UTC),
                language="fr",
            ),
        )
        session.flush()
        evidence = Evidence(
            commitment_id=commitment.id,
            publication_id=publication.id,
            score=0.8,
            signal="setback",
            excerpt=excerpt or "L'INESIA ne dispose toujours d'aucun budget propre.",
            matched_terms=["INESIA"],
            cue="toujours",
        )
        session.add(evidence)
        session.flush()
        return evidence.id


def ledger(db_url: str) -> list[Alert]:
    with session_scope(db_url) as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def setbacks_in_db(cli) -> set[tuple[str, str]]:
    result = cli("evidence", "list", "--signal", "setback", "--format", "json")
    assert result.code == 0, result.output
    rows = json.loads(result.stdout)
    return {(r["commitment"], r["publication"]["url"]) for r in rows if r["review_state"] != "rejected"}


# -- the flow a user runs ------------------------------------------------------------------


def test_match_over_real_publications_posts_each_setback_once(
    cli, db: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, webhook)
    for name in ("fixtures.jsonl", "real/international.jsonl"):
        imported = cli("publications", "import", str(LABELLED / name))
        assert imported.code == 0, imported.output
    first = cli("match")
    assert first.code == 0, first.output
    expected = setbacks_in_db(cli)
    assert len(expected) >= 2
    posts = webhook.wait(len(expected))
    assert f"alerts: {len(expected)} new, {len(expected)} sent to 1 channel" in first.stdout

    inesia = [p for p in posts if p.path == "/hook" and CESIA_SEED in p.message and "INESIA" in p.title]
    assert len(inesia) == 1, [p.title for p in posts]
    message = inesia[0]
    assert (
        message.title == "Recul : Création de l'INESIA, institut national d'évaluation et de sécurité de l'IA"
    )
    assert message.body["type"] == "warning"
    assert "Signal : recul" in message.message
    assert "aucun financement propre" in message.message
    assert "12 février 2025" in message.message
    assert "http://sw.test/commitments/inesia" in message.message

    second = cli("match")
    assert second.code == 0, second.output
    assert "alerts: 0 new, 0 sent" in second.stdout
    time.sleep(0.5)
    assert len(webhook.posts) == len(expected)
    listed = cli("alerts", "list", "--format", "json")
    assert listed.code == 0, listed.output
    assert sorted(r["state"] for r in json.loads(listed.stdout)) == ["sent"] * len(expected)


def test_paris_statement_setback_reaches_the_webhook(
    cli, db: str, backend: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "sqlite":
        pytest.skip("what the tracker reads does not depend on the backend; the test above runs on both")
    configure(monkeypatch, webhook)
    assert cli("publications", "import", str(LABELLED / "real" / "international.jsonl")).code == 0
    assert cli("match").code == 0
    assert any(slug == PARIS_STATEMENT for slug, _ in setbacks_in_db(cli))
    posts = webhook.wait(1, timeout=3)
    assert any("Déclaration" in p.title or "déclaration" in p.title for p in posts)


def test_alerts_test_sends_one_message_outside_the_ledger(
    cli, db: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, webhook, language="en")
    result = cli("alerts", "test")
    assert result.code == 0, result.output
    assert f"sent: json://127.0.0.1:{webhook.port}/… (JSON)" in result.stdout
    (post,) = webhook.wait(1)
    assert post.title == "summitwatch: test message"
    assert "it will receive summitwatch alerts" in post.message
    assert ledger(db) == []


def test_malformed_url_is_one_error_line_without_its_secret(cli, env, monkeypatch) -> None:
    configure(monkeypatch, "json://127.0.0.1:9/ok", "slack://T1234/onlyonetokensecret")
    for args in (("match",), ("alerts", "send"), ("run", "--port", "8971")):
        result = cli(*args, timeout=60)
        assert result.code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: alerts.urls[1] (slack://…/…): malformed slack:// URL"), lines
        assert "onlyonetokensecret" not in result.output and "T1234" not in result.output
    shown = cli("config", "show")
    assert shown.code == 0 and "slack://***" in shown.stdout and "onlyonetokensecret" not in shown.stdout
    not_json = cli("alerts", "list", extra_env={"SUMMITWATCH_ALERTS__URLS": "slack://T1234/secret"})
    assert not_json.code == 2 and len(not_json.stderr.strip().splitlines()) == 1
    assert "lists are JSON" in not_json.stderr and "T1234" not in not_json.stderr
    configure(monkeypatch, "nosuchservice://host/x")
    result = cli("alerts", "test")
    assert result.code == 2
    assert "error: alerts.urls[0] (nosuchservice://…/…): Apprise has no service called 'nosuchservice'" in (
        result.stderr
    )


# -- failures: refused, failing, hanging ------------------------------------------------------


def test_refused_channel_is_retried_after_a_wait_and_never_duplicated(
    db: str, webhook_factory: Callable[..., Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    down = webhook_factory(start=False)  # nothing listens on its port yet: connection refused
    up = webhook_factory()
    configure(monkeypatch, down, up, retry_backoff_seconds="1", timeout_seconds="2")
    send_alerts()  # registers the channels: they get what happens from now on
    add_setback(db)

    first = send_alerts()
    assert (first.sent, first.failed) == (1, 1), first
    assert len(up.wait(1)) == 1  # the refusing channel did not hold the other one back
    (refused,) = [a for a in ledger(db) if a.state != "sent"]
    assert refused.state == "failed" and refused.attempts == 1
    assert "Connection" in (refused.last_error or "")
    assert refused.next_attempt_at is not None and refused.next_attempt_at > datetime.now(UTC)

    too_soon = send_alerts()  # the wait is not over: no new attempt
    assert (too_soon.sent, too_soon.failed, too_soon.waiting) == (0, 0, 1)
    assert [a.attempts for a in ledger(db) if a.state == "failed"] == [1]

    down.start()
    time.sleep(1.1)
    retried = send_alerts()
    assert retried.sent == 1, retried
    assert len(down.wait(1)) == 1
    assert "INESIA" in down.posts[0].title
    again = send_alerts()
    assert (again.queued, again.sent) == (0, 0)
    time.sleep(0.3)
    assert (len(down.posts), len(up.posts)) == (1, 1)
    assert [a.state for a in ledger(db)] == ["sent", "sent"]


def test_failures_and_listings_never_show_a_channel_secret(
    cli, db: str, webhook_factory: Callable[..., Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = webhook_factory(start=False, path="/services/T0SECRET/B0SECRET/XsecretTokenX")
    configure(monkeypatch, f"json://bot:hunter2pw@127.0.0.1:{closed.port}{closed.path}")
    send_alerts()
    add_setback(db)
    assert send_alerts().failed == 1
    (row,) = ledger(db)
    assert row.last_error and "Connection" in row.last_error
    listed = cli("alerts", "list", "--format", "json")
    assert listed.code == 0, listed.output
    for text in (row.last_error, listed.stdout):
        assert "SECRET" not in text and "secretToken" not in text and "hunter2pw" not in text, text
    assert json.loads(listed.stdout)[0]["channel"] == f"json://bot:****@127.0.0.1:{closed.port}/…"


def test_error_status_is_retried_and_abandoned_after_the_last_try(
    db: str, webhook_factory: Callable[..., Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = webhook_factory(status=503)
    configure(monkeypatch, failing, retry_backoff_seconds="0", max_attempts="2", max_per_pass="1")
    send_alerts()
    add_setback(db, n=1)
    add_setback(db, n=2)
    first = send_alerts()
    # The first row failed; the channel's second row waits for the next pass rather than hammering it.
    assert (first.sent, first.failed) == (0, 1)
    assert len(failing.posts) == 1
    assert "503" in (ledger(db)[0].last_error or "")
    second = send_alerts()
    assert second.abandoned == 1, second
    assert [a.state for a in ledger(db)] == ["abandoned", "pending"]
    failing.status = 200
    add_setback(db, n=3)
    third = send_alerts()
    assert (third.sent, third.held_back) == (1, 1)  # one per pass here: a pass stays short
    assert "1 left for the next pass" in third.line()
    assert [a.state for a in ledger(db)] == ["abandoned", "sent", "pending"]
    assert send_alerts().sent == 1
    assert [a.state for a in ledger(db)] == ["abandoned", "sent", "sent"]
    assert len(failing.posts) == 4


def test_a_channel_that_takes_the_post_and_never_answers_is_not_resent(
    cli, db: str, webhook_factory: Callable[..., Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = webhook_factory(delay=5.0)
    configure(monkeypatch, slow, timeout_seconds="0.5", retry_backoff_seconds="0")
    send_alerts()
    add_setback(db)
    started = time.monotonic()
    report = send_alerts()
    assert time.monotonic() - started < 4  # bounded by the 0.5 s timeout, not by the server's 5 s
    assert report.unconfirmed == 1 and report.needs_a_person == 1
    assert len(slow.posts) == 1  # it did arrive: resending would duplicate it
    (row,) = ledger(db)
    assert row.state == "unconfirmed"
    assert "Read timed out" in (row.last_error or "")
    slow.delay = 0
    send_alerts()
    time.sleep(0.3)
    assert len(slow.posts) == 1
    listed = cli("alerts", "list")
    assert "may have arrived" in listed.stdout
    settled = cli("alerts", "settle", str(row.id), "sent")
    assert settled.code == 0, settled.output
    assert [a.state for a in ledger(db)] == ["sent"]
    wrong = cli("alerts", "settle", str(row.id), "maybe")
    assert wrong.code == 2 and "error: settle an alert as 'sent' or 'retry'" in wrong.stderr


# -- the other events ---------------------------------------------------------------------------


def test_status_change_and_failing_source_are_told_once_in_english(
    db: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, webhook, language="en")
    send_alerts()
    evidence_id = add_setback(db, excerpt="<script>alert(1)</script> INESIA has no budget of its own.")
    with session_scope(db) as session:
        commitment = session.scalar(select(Commitment).where(Commitment.slug == "inesia"))
        assert commitment is not None
        set_status(
            session,
            commitment,
            "stalled",
            "reviewer",
            note="No budget.",
            evidence=session.get(Evidence, evidence_id),
        )
    run = crawls.start_run("anssi", url=db)
    crawls.fail_run(run, "listing https://cyber.gouv.fr/actualites/ answered 503 three times", url=db)

    report = send_alerts()
    assert report.sent == 2, report  # the setback that moved the status is told by its status change
    posts = webhook.wait(2)
    change = next(p for p in posts if "→" in p.title)
    assert "INESIA" in change.title and change.title.endswith(": not rated → stalled")
    assert "(by reviewer)" in change.message and "Note: No budget." in change.message
    assert "Signal: setback" in change.message
    assert "<script>alert(1)</script> INESIA has no budget" in change.message  # text body: as written
    failing = next(p for p in posts if p.title.startswith("Source failing"))
    assert failing.body["type"] == "failure"
    assert "answered 503" in failing.message and "http://sw.test/sources" in failing.message

    run = crawls.start_run("anssi", url=db)
    crawls.fail_run(run, "still 503", url=db)
    assert send_alerts().sent == 0  # still failing: no new turn
    run = crawls.start_run("anssi", url=db)
    crawls.finish_run(run, "ok", {"requests": 3}, url=db)
    assert send_alerts().sent == 0
    run = crawls.start_run("anssi", url=db)
    crawls.fail_run(run, "timeouts again", url=db)
    assert send_alerts().sent == 1  # failing again after a recovery: a new turn
    assert "timeouts again" in webhook.wait(3)[-1].message


def test_html_channels_get_an_escaped_html_body(
    db: str, webhook_factory: Callable[..., Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = webhook_factory()
    configure(monkeypatch, hook.url + "?format=html")
    send_alerts()
    add_setback(db, excerpt="<script>alert(1)</script> aucun budget propre")
    assert send_alerts().sent == 1
    (post,) = hook.wait(1)
    assert (
        "<blockquote>« &lt;script&gt;alert(1)&lt;/script&gt; aucun budget propre »</blockquote>"
        in post.message
    )
    assert '<a href="https://www.securite-ia.fr/publications/inesia-sans-moyens-0">' in post.message
    assert "<script>" not in post.message


def test_a_new_channel_gets_what_happens_from_now_on(
    db: str, webhook_factory: Callable[..., Webhook], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = webhook_factory()
    configure(monkeypatch, old)
    send_alerts()
    add_setback(db, n=1)
    assert send_alerts().sent == 1
    new = webhook_factory()
    configure(monkeypatch, old, new)
    assert send_alerts().sent == 0  # last hour's setback is not replayed into the new channel
    add_setback(db, n=2)
    assert send_alerts().sent == 2
    assert (len(old.wait(2)), len(new.wait(1))) == (2, 1)


def test_scheduler_job_sends_alerts(db: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler import jobs

    configure(monkeypatch, webhook, retry_every="00:05:00")
    assert any(s.id == "alerts:send" for s in jobs.job_specs())
    send_alerts()
    add_setback(db)
    outcome = jobs.run_job("alerts:send")
    assert outcome.ok, outcome
    assert outcome.result.startswith("alerts: 1 new, 1 sent to 1 channel")
    assert len(webhook.wait(1)) == 1
