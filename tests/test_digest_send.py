"""Digests end to end: content, rendering, and exactly-once delivery to a real SMTP server.

Every test runs on SQLite and PostgreSQL (`db`); mail goes to an aiosmtpd server on
127.0.0.1 (`smtp_server`). Test data enters through the storage functions and models.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from digests.periods import week
from digests.send import send_digest
from digests.subscriptions import add_confirmed, subscribe
from storage.db import session_scope
from storage.models import Commitment, CrawlRun, Delivery, Evidence, Source, Subscriber
from storage.publications import PublicationInput, upsert_publication
from storage.status import set_status
from summitwatch.config import reset_settings
from tests.support.smtp import SMTPRecorder

PERIOD = "2025-W07"  # Paris: Monday 10 to Monday 17 February 2025
IN_WEEK = datetime(2025, 2, 12, 10, 0, tzinfo=UTC)
HOSTILE_TITLE = '<script>alert("x")</script> Lancement de l\'INESIA & <b>co</b>'
HOSTILE_EXCERPT = "L'INESIA <img src=x onerror=alert(1)> a été créé le 12 février."


def seed_week(db_url: str, evidence_items: int = 3, hostile: bool = True) -> None:
    """Publications, evidence on two commitments, a status change and crawl runs in PERIOD."""
    with session_scope(db_url) as session:
        commitments = {c.slug: c for c in session.scalars(select(Commitment))}
        for i in range(evidence_items):
            slug = "inesia" if i % 2 == 0 else "anssi-ai-security-evaluation"
            title = (
                HOSTILE_TITLE
                if hostile and i == 0
                else f"Publication {i} sur l'évaluation de la sécurité de l'IA"
            )
            _, pub = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://www.example.gouv.fr/actualites/{i}",
                    source="anssi" if slug.startswith("anssi") else "elysee",
                    title=title,
                    body="Corps du texte " * 20,
                    published_at=IN_WEEK - timedelta(hours=i),
                    language="fr",
                ),
            )
            pub.first_seen_at = IN_WEEK
            excerpt = (
                HOSTILE_EXCERPT
                if hostile and i == 0
                else f"Extrait {i} : l'ANSSI publie une évaluation de la sécurité des systèmes d'IA. " * 3
            )
            evidence = Evidence(
                commitment_id=commitments[slug].id,
                publication_id=pub.id,
                score=0.9,
                signal="progress",
                excerpt=excerpt,
                matched_terms=["INESIA", "évaluation"],
                created_at=IN_WEEK,
                updated_at=IN_WEEK,
            )
            session.add(evidence)
        _, other = upsert_publication(
            session,
            PublicationInput(
                url="https://cesia.example/post/autre",
                source="cesia",
                title="Une autre publication sans lien",
                body="rien",
                published_at=IN_WEEK,
            ),
        )
        other.first_seen_at = IN_WEEK
        session.flush()
        change = set_status(session, commitments["inesia"], "in_progress", "auto", note="Créé par décret")
        assert change is not None
        change.changed_at = IN_WEEK
        sources = {s.slug: s.id for s in session.scalars(select(Source))}
        for slug, status in (("anssi", "ok"), ("cesia", "failed"), ("cesia", "failed")):
            session.add(
                CrawlRun(
                    source_id=sources[slug],
                    started_at=IN_WEEK,
                    finished_at=IN_WEEK,
                    status=status,
                    error_summary="HTTP 500" if status == "failed" else None,
                )
            )


def add_people(db_url: str) -> None:
    """Two active readers, one filtered out, one pending, one unsubscribed."""
    with session_scope(db_url) as session:
        add_confirmed(session, "lea@example.org", "fr")
        add_confirmed(session, "sam@example.org", "en", themes=["safety"])
        add_confirmed(session, "filtered@example.org", "fr", commitments=["roost"])
        subscribe(session, "pending@example.org", "fr")
        gone = add_confirmed(session, "gone@example.org", "fr")
        gone.state = "unsubscribed"


def by_rcpt(box: SMTPRecorder) -> dict[str, EmailMessage]:
    return dict(box.messages)


@pytest.fixture
def mail_env(db: str, smtp_server: SMTPRecorder, monkeypatch: pytest.MonkeyPatch) -> SMTPRecorder:
    """Settings pointing at the local SMTP server, an https base URL, quick retries."""
    monkeypatch.setenv("SUMMITWATCH_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("SUMMITWATCH_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SUMMITWATCH_BASE_URL", "https://sw.test")
    monkeypatch.setenv("SUMMITWATCH_DIGEST__SEND_RETRIES", "1")
    monkeypatch.setenv("SUMMITWATCH_DIGEST__RETRY_BACKOFF_SECONDS", "0.01")
    reset_settings()
    return smtp_server


def test_digest_goes_to_the_right_people_with_both_parts_and_list_headers(
    mail_env: SMTPRecorder, db: str
) -> None:
    seed_week(db)
    add_people(db)
    mail_env.messages.clear()  # the pending subscriber's confirmation mail
    report = send_digest(PERIOD)
    assert (report.sent, report.remaining, report.failed_retryable, report.stuck) == (2, 0, 0, [])
    assert report.skipped == 1  # filtered@ follows only a commitment without news
    received = by_rcpt(mail_env)
    assert sorted(received) == ["lea@example.org", "sam@example.org"]

    for rcpt, message in received.items():
        assert message.get_content_type() == "multipart/alternative"
        kinds = [part.get_content_type() for part in message.iter_parts()]
        assert kinds == ["text/plain", "text/html"]
        assert ".digest-2025-W07-" in message["Message-ID"] and message["Date"]
        assert message["List-Id"] == "summitwatch weekly digest <summitwatch.digest>"
        unsubscribe = message["List-Unsubscribe"]
        assert "<https://sw.test/unsubscribe/one-click?token=" in unsubscribe and "<mailto:" in unsubscribe
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["To"] == rcpt

    fr = received["lea@example.org"]
    fr_html = fr.get_body(("html",)).get_content()  # type: ignore[union-attr]
    fr_text = fr.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Le point de la semaine" in fr_html and "lundi 10 février 2025" in fr_html
    assert "Du lundi 10 février 2025 au dimanche 16 février 2025" in fr_text
    assert "Changements de statut" in fr_text and "non évalué -> en cours" in fr_text
    assert "en échec toute la semaine" in fr_text  # cesia failed every run
    assert "Une autre publication sans lien" in fr_text
    assert "https://sw.test/manage?token=" in fr_text and "https://sw.test/unsubscribe?token=" in fr_html
    # Scraped text is data: escaped in HTML, plain in text; matched terms marked after escaping.
    assert "<script" not in fr_html and "<img" not in fr_html and "<b>co" not in fr_html
    assert "&lt;script&gt;alert(" in fr_html and "&lt;img src=x onerror=alert(1)&gt;" in fr_html
    assert "<mark" in fr_html and ">INESIA</mark>" in fr_html
    assert '<script>alert("x")</script> Lancement de l\'INESIA & <b>co</b>' in fr_text
    assert "<img src=x onerror=alert(1)>" in fr_text

    en = received["sam@example.org"]
    en_text = en.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "THIS WEEK'S DIGEST" in en_text and "Monday, February 10, 2025" in en_text
    assert "Other publications" not in en_text  # a theme filter shows commitment news only
    assert "Publication 1 sur" not in en_text  # anssi-ai-security-evaluation is a security commitment

    again = send_digest(PERIOD)
    assert (again.sent, again.queued, again.attempted) == (0, 0, 0)
    assert len(mail_env.messages) == 2


def test_smtp_failure_midway_then_the_command_again_sends_each_one_once(
    mail_env: SMTPRecorder, db: str, cli: Callable[..., Any]
) -> None:
    seed_week(db, hostile=False)
    with session_scope(db) as session:
        for i in range(7):
            add_confirmed(session, f"reader{i}@example.org", "en" if i % 2 else "fr")
    mail_env.fail_after(3)
    first = send_digest(PERIOD)
    assert first.sent == 3 and first.failed_retryable == 1 and first.stopped
    assert first.remaining == 4  # the failed one and the three never tried
    with session_scope(db) as session:
        states = Counter(session.scalars(select(Delivery.state)))
    assert states == {"sent": 3, "failed_retryable": 1, "pending": 3}

    mail_env.heal()
    result = cli("digest", "send", "--period", PERIOD)
    assert result.code == 0, result.output
    assert "sent 4" in result.stdout
    counts = Counter(mail_env.recipients())
    assert counts == {f"reader{i}@example.org": 1 for i in range(7)}

    listing = cli("digest", "list", "--format", "json")
    assert listing.code == 0, listing.output
    assert '"sent": 7' in listing.stdout


def test_permanent_refusal_marks_bouncing_and_a_sending_row_is_never_resent(
    mail_env: SMTPRecorder, db: str, cli: Callable[..., Any]
) -> None:
    seed_week(db, hostile=False)
    with session_scope(db) as session:
        for name in ("ok", "bad", "stuck"):
            add_confirmed(session, f"{name}@example.org", "fr")
    mail_env.refuse("bad@example.org", "550 5.1.1 mailbox unavailable")
    # A previous run was killed after the server accepted stuck@'s message, before the commit.
    window = week(PERIOD)
    from storage.deliveries import enqueue, get_or_create_digest

    with session_scope(db) as session:
        digest_id = get_or_create_digest(session, PERIOD, window.start, window.end)
        stuck_id = session.scalar(select(Subscriber.id).where(Subscriber.email == "stuck@example.org"))
        enqueue(session, digest_id, [stuck_id])
        row = session.scalars(select(Delivery)).one()
        row.state, row.claimed_at, row.message_id = "sending", IN_WEEK, "<stuck@summitwatch.localhost>"

    report = send_digest(PERIOD)
    assert (report.sent, report.failed_permanent, report.failed_retryable) == (1, 1, 0)
    assert [r["email"] for r in report.stuck] == ["stuck@example.org"]
    assert mail_env.recipients() == ["ok@example.org"]
    with session_scope(db) as session:
        bad = session.scalars(select(Subscriber).where(Subscriber.email == "bad@example.org")).one()
        assert bad.bouncing and "550" in (bad.last_bounce or "")

    again = cli("digest", "send", "--period", PERIOD)
    # Nothing broke, but a row waits for a person: exit code 3 says so.
    assert again.code == 3 and "sent 0" in again.stdout
    assert "stuck@example.org left 'sending'" in again.stderr
    settled = cli("digest", "settle", PERIOD, "stuck@example.org", "sent")
    assert settled.code == 0, settled.output
    assert mail_env.recipients() == ["ok@example.org"]


def test_empty_week_gives_a_short_digest_unless_opted_out(mail_env: SMTPRecorder, db: str) -> None:
    with session_scope(db) as session:
        add_confirmed(session, "keen@example.org", "fr")
        quiet = add_confirmed(session, "quiet@example.org", "en")
        quiet.preferences.send_empty = False
    report = send_digest("2025-W10")
    assert report.sent == 1 and report.skipped == 1
    (rcpt, message), *_ = mail_env.messages
    assert rcpt == "keen@example.org"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Rien de nouveau cette semaine" in text
    assert "semaine calme" in message["Subject"]
    dry = send_digest("2025-W10", dry_run=True)
    assert dry.to_send == 1 and dry.already_sent == 1 and len(mail_env.messages) == 1
