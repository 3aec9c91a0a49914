"""Digests of the right week: what was published in it, late finds marked, nothing sent twice.

Publications of the summit week found long after it (a backfill, a first crawl) reach the
summit week's digest; evidence found this week for older publications comes as late finds;
a subscriber never reads the same evidence in two digests. Runs on SQLite and PostgreSQL,
mail through a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.message import EmailMessage

from sqlalchemy import select

from digests.periods import week
from digests.send import preview_digest, send_digest
from digests.subscriptions import add_confirmed
from storage.dateprecision import start_of_day
from storage.db import session_scope
from storage.models import Commitment, Evidence
from storage.publications import PublicationInput, upsert_publication
from storage.subscribers import find_by_email
from tests.support.smtp import SMTPRecorder
from tests.test_digest_send import mail_env  # noqa: F401  (the SMTP settings fixture)

FOUND = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the crawl that found everything: 2026-W49
SUMMIT_WEEK = "2025-W07"
FOUND_WEEK = "2026-W49"

SUMMIT_ITEMS = [
    # (url, commitment, signal, published day, title)
    (
        "https://www.elysee.fr/2025/02/11/current-ai",
        "current-ai",
        "progress",
        date(2025, 2, 11),
        "Current AI est lancée",
    ),
    (
        "https://www.securite-ia.fr/inaction",
        "inesia",
        "setback",
        date(2025, 2, 12),
        "Le sommet de l'inaction",
    ),
]
OLDER_ITEM = (
    "https://www.elysee.fr/2025/05/19/choose-france",
    "uae-france-ai-campus",
    "progress",
    date(2025, 5, 19),
    "Choose France : première tranche du campus",
)


def _seed(db_url: str, items: list[tuple[str, str, str, date, str]], accept: bool = False) -> None:
    """Day-dated publications found at FOUND, each linked to its commitment with its signal."""
    with session_scope(db_url) as session:
        commitments = {c.slug: c for c in session.scalars(select(Commitment))}
        for url, slug, signal, day, title in items:
            _, pub = upsert_publication(
                session,
                PublicationInput(
                    url=url,
                    source="elysee",
                    title=title,
                    body=f"{title}. " * 10,
                    published_at=start_of_day(day),
                    date_precision="day",
                    language="fr",
                ),
            )
            pub.first_seen_at = FOUND
            session.add(
                Evidence(
                    commitment_id=commitments[slug].id,
                    publication_id=pub.id,
                    score=0.95,
                    signal=signal,
                    excerpt=f"Extrait : {title}.",
                    matched_terms=[],
                    review_state="accepted" if accept else "unreviewed",
                    created_at=FOUND,
                    updated_at=FOUND,
                )
            )
        if find_by_email(session, "lea@example.org") is None:
            add_confirmed(session, "lea@example.org", "fr")


def _text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def _html(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_summit_week_preview_holds_what_was_published_in_it_with_signals(db: str) -> None:
    _seed(db, SUMMIT_ITEMS)
    rendered, note = preview_digest(week(SUMMIT_WEEK))
    assert rendered is not None, note
    assert "semaine calme" not in rendered.subject
    text = rendered.text
    assert "Current AI est lancée" in text and "Le sommet de l'inaction" in text
    # The signal as a word, in the text part and in the HTML (with its colour).
    assert "[AVANCÉE] Current AI est lancée" in text
    assert "[RECUL] Le sommet de l'inaction" in text
    assert re.search(r"<span[^>]*background: ?#15803d[^>]*>avancée</span>", rendered.html)
    assert re.search(r"<span[^>]*background: ?#b91c1c[^>]*>recul</span>", rendered.html)
    # Published in the week, dated by the page's day (never the crawl's): not late finds.
    assert "11 février 2025" in text and "12 février 2025" in text
    assert "1 décembre 2026" not in text and "publié plus tôt" not in text
    # Counts by status open the digest.
    assert "Où en sont les engagements" in text and "29 non évalué" in text


def test_found_week_digest_marks_late_finds_and_nothing_is_sent_twice(
    mail_env: SMTPRecorder,  # noqa: F811
    db: str,
) -> None:
    _seed(db, [*SUMMIT_ITEMS, OLDER_ITEM])
    mail_env.messages.clear()
    # The week they were found first: everything is a late find there, marked so.
    first = send_digest(FOUND_WEEK)
    assert first.sent == 1, first
    found_text = _text(mail_env.messages[-1][1])
    for _, _, _, _, title in [*SUMMIT_ITEMS, OLDER_ITEM]:
        paragraph = next(p for p in found_text.split("\n\n") if title in p)
        assert "trouvé cette semaine, publié plus tôt" in paragraph, paragraph
    # Then the summit week's digest: its items already went out, so it carries none of them.
    second = send_digest(SUMMIT_WEEK)
    summit_text = _text(mail_env.messages[-1][1]) if second.sent else ""
    for _, _, _, _, title in SUMMIT_ITEMS:
        assert title not in summit_text
    # A second send of either period sends nothing.
    again = send_digest(FOUND_WEEK)
    assert (again.sent, again.queued) == (0, 0)
    # No evidence reached the reader twice.
    seen: dict[str, int] = {}
    for _, message in mail_env.messages:
        for url, *_ in [*SUMMIT_ITEMS, OLDER_ITEM]:
            seen[url] = seen.get(url, 0) + (url in _text(message))
    assert all(count == 1 for count in seen.values()), seen
    # The preview still shows the summit week whole, and says what went out elsewhere.
    rendered, note = preview_digest(week(SUMMIT_WEEK))
    assert rendered is not None and "Current AI est lancée" in rendered.text
    assert "already went out in another digest" in note


def test_summit_week_sent_first_keeps_its_items_from_the_found_week(
    mail_env: SMTPRecorder,  # noqa: F811
    db: str,
) -> None:
    _seed(db, [*SUMMIT_ITEMS, OLDER_ITEM])
    mail_env.messages.clear()
    assert send_digest(SUMMIT_WEEK).sent == 1
    summit = _text(mail_env.messages[-1][1])
    assert "Current AI est lancée" in summit and "Choose France" not in summit
    assert send_digest(FOUND_WEEK).sent == 1
    found = _text(mail_env.messages[-1][1])
    assert "Current AI est lancée" not in found and "Le sommet de l'inaction" not in found
    assert "Choose France : première tranche du campus" in found  # a late find, not sent before
    assert send_digest(SUMMIT_WEEK).sent == 0


def test_plain_text_is_one_item_per_paragraph_with_links_on_their_own_lines(db: str) -> None:
    _seed(db, SUMMIT_ITEMS)
    rendered, _ = preview_digest(week(SUMMIT_WEEK))
    assert rendered is not None
    lines = rendered.text.splitlines()
    for url, *_ in SUMMIT_ITEMS:
        assert url in lines, f"{url} is not on a line of its own"
    for link in re.findall(r"https?://\S+", rendered.text):
        assert link in (line.strip() for line in lines) or any(
            line.strip().endswith(link) and line.strip().split()[-1] == link for line in lines
        ), link
    for _, _, _, _, title in SUMMIT_ITEMS:
        at = next(i for i, line in enumerate(lines) if title in line and line.startswith("["))
        assert lines[at - 1] == "", "an item starts a paragraph"
        end = next(i for i in range(at, len(lines)) if lines[i] == "")
        paragraph = lines[at:end]
        assert paragraph[-1].startswith("https://"), paragraph  # its link closes it


def test_overdue_leaves_out_deadlines_met_by_accepted_evidence(db: str) -> None:
    # The UAE campus's first tranche (deadline May 2025) was reported on 19 May 2025 and accepted.
    _seed(db, [OLDER_ITEM], accept=True)
    rendered, _ = preview_digest(week("2026-W49"))
    assert rendered is not None
    overdue = rendered.text.split("== Échéances dépassées ==", 1)[1].split("\n== ", 1)[0]
    assert "Campus franco-émirien" not in overdue
    assert "Organiser la gouvernance française du Règlement sur l'IA" in overdue  # 2 August 2025, no evidence


def test_a_deadline_met_late_by_accepted_evidence_is_not_days_overdue(db: str) -> None:
    # The AI Act authorities were due on 2 August 2025 and designated on 10 September 2025.
    late = (
        "https://www.elysee.fr/2025/09/10/conseil-des-ministres",
        "ai-act-national-authorities",
        "progress",
        date(2025, 9, 10),
        "Les autorités du RIA sont désignées",
    )
    _seed(db, [late], accept=True)
    rendered, _ = preview_digest(week("2026-W49"))
    assert rendered is not None
    assert (
        "Organiser la gouvernance française du Règlement sur l'IA"
        not in rendered.text.split("== Échéances dépassées ==", 1)[-1].split("\n== ", 1)[0]
    )
