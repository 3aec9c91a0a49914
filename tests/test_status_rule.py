"""The status rule on real publications, who applied it, and a status set by hand refused whole.

The corpus is `tests/data/labelled/real/`: real press, agency and NGO texts, matched by the
shipped tracker; every proposal is applied, and each commitment with progress evidence must
show a status that holds from the publication date of its first progress evidence.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.dateprecision import dated, start_of_day
from storage.db import session_scope
from storage.importer import import_jsonl
from storage.models import Commitment, Evidence, Publication, StatusChange
from storage.publications import PublicationInput, upsert_publication
from tracker.pipeline import match_pending
from tracker.status_rule import propose
from tracker.workflow import apply_all

REAL = Path(__file__).resolve().parent / "data" / "labelled" / "real"
POSITIVE = ("progress", "achieved")


def _import_real(db_url: str) -> int:
    stored = 0
    with session_scope(db_url) as session:
        for path in sorted(REAL.glob("*.jsonl")):
            report = import_jsonl(session, path)
            stored += report.stored
    return stored


def _first_positive_dates(session) -> dict[str, datetime]:  # type: ignore[no-untyped-def]
    """Each commitment's earliest dated progress evidence (not background), as matched."""
    rows = session.execute(
        select(Commitment.slug, func.min(Publication.published_at))
        .join(Evidence, Evidence.commitment_id == Commitment.id)
        .join(Publication, Publication.id == Evidence.publication_id)
        .where(
            Evidence.signal.in_(POSITIVE),
            Evidence.background.is_(False),
            Evidence.review_state != "rejected",
            Publication.published_at.is_not(None),
        )
        .group_by(Commitment.slug)
    )
    return dict(rows.tuples().all())


def test_every_proposal_applied_on_real_publications_dates_each_status_by_its_evidence(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = _import_real(db)
    assert stored > 450  # 534 lines; the same URL in two files is one publication
    match_pending()
    with session_scope(db) as session:
        changes = apply_all(session, "Ana")
        assert changes, "the real corpus holds progress evidence: something must move"
        expected = _first_positive_dates(session)
        assert len(expected) >= 15
        dated_right = 0
        for slug, first in expected.items():
            commitment = session.scalar(select(Commitment).where(Commitment.slug == slug))
            assert commitment is not None
            assert commitment.status != "not_rated", f"{slug} has progress evidence but no status"
            history = list(
                session.scalars(
                    select(StatusChange)
                    .where(StatusChange.commitment_id == commitment.id)
                    .order_by(StatusChange.id)
                )
            )
            moved = [c for c in history if c.new_status in ("in_progress", "achieved", "partially_achieved")]
            assert moved, f"{slug}: no positive status change"
            change = moved[0]
            assert change.changed_by == "Ana"
            assert change.evidence is not None and change.evidence.review_state == "accepted"
            # The status holds from the evidence's publication, the first progress there was.
            assert change.changed_at == change.evidence.publication.published_at == first, slug
            assert change.recorded_at > change.changed_at
            assert change.note and change.note.startswith(("first progress", "completion"))
            dated_right += 1
        total_changes = session.scalar(select(func.count(StatusChange.id)))
        open_left = session.scalar(
            select(func.count(Evidence.id)).where(
                Evidence.review_state == "unreviewed", Evidence.proposed_status.is_not(None)
            )
        )
    assert open_left == 0
    with capsys.disabled():
        print(
            f"\n[real corpus] {stored} publications; {len(expected)} commitments with dated progress "
            f"evidence, {dated_right} of them show a status dated by their first progress evidence; "
            f"{total_changes} status changes in all"
        )


def test_the_rule_in_words() -> None:
    assert propose("progress", "not_rated") == "in_progress"
    assert propose("progress", "in_progress") is None
    assert propose("progress", "stalled") == "in_progress"
    assert propose("achieved", "in_progress") == "achieved"
    assert propose("achieved", "stalled") == "partially_achieved"
    assert propose("setback", "in_progress") == "stalled"
    assert propose("setback", "in_progress", breaks=True) == "broken"
    assert propose("setback", "achieved") is None
    assert propose("mention", "not_rated") is None
    assert propose("progress", "not_rated", background=True) is None


# --- by hand, through the CLI ---------------------------------------------------------------

DAY_PAGE = {
    "url": "https://www.example.org/inesia-feuille-de-route",
    "source": "manual",
    "title": "L'INESIA publie sa feuille de route 2026-2027",
    "published_at": "2026-02-12",
    "language": "fr",
    "body": "Publié le jeudi 12 février 2026. L'Institut national pour l'évaluation et la sécurité de "
    "l'intelligence artificielle (INESIA) a publié sa feuille de route 2026-2027. L'INESIA fédère "
    "l'ANSSI, Inria, le LNE et le PEReN pour évaluer les modèles d'IA.",
}
UNLINKED = {
    "url": "https://www.example.org/randonnee",
    "source": "manual",
    "title": "Randonnée au sommet du Mont-Blanc",
    "published_at": "2026-02-10",
    "language": "fr",
    "body": "Le sommet du Mont-Blanc attire chaque été des milliers d'alpinistes.",
}


@pytest.fixture
def two_pages(cli, db: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in (DAY_PAGE, UNLINKED)))
    assert cli("publications", "import", str(path)).code == 0
    matched = cli("match")
    assert matched.code == 0, matched.output
    return cli


def _state(db: str) -> tuple[int, list[tuple[str, str]], list[tuple[int, str]]]:
    with session_scope(db) as session:
        changes = session.scalar(select(func.count(StatusChange.id))) or 0
        statuses = list(session.execute(select(Commitment.slug, Commitment.status).order_by(Commitment.id)))
        links = list(session.execute(select(Evidence.id, Evidence.review_state).order_by(Evidence.id)))
    return changes, [tuple(r) for r in statuses], [tuple(r) for r in links]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("inesia", "finished", "--by", "Ana"), "'finished' is not a status"),
        (("no-such-commitment", "in_progress", "--by", "Ana"), "no commitment with slug"),
        (("inesia", "in_progress", "--evidence", UNLINKED["url"], "--by", "Ana"), "is not linked to inesia"),
        (
            ("inesia", "in_progress", "--evidence", DAY_PAGE["url"], "--since", "2099-01-01", "--by", "Ana"),
            "future",
        ),
        (("inesia", "in_progress", "--evidence", DAY_PAGE["url"]), "give --by NAME"),
    ],
    ids=["unknown-status", "unknown-slug", "unlinked-evidence", "future-date", "no-reviewer"],
)
def test_bad_status_by_hand_is_one_error_line_exit_2_nothing_changed(
    two_pages, db: str, args: tuple[str, ...], said: str
) -> None:
    before = _state(db)
    result = two_pages("status", "set", *args)
    assert result.code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert said in lines[0]
    assert "Traceback" not in result.output
    assert _state(db) == before


def test_status_by_hand_holds_from_the_evidence_day_and_names_the_reviewer(two_pages, db: str) -> None:
    done = two_pages("status", "set", "inesia", "in_progress", "--evidence", DAY_PAGE["url"], "--by", "Ana")
    assert done.code == 0, done.output
    shown = json.loads(two_pages("commitments", "show", "inesia", "--format", "json").stdout)[0]
    assert shown["status"] == "in_progress"
    assert shown["status_since"] == "2026-02-12"  # the page's day, not the review's, not UTC's 11th
    assert shown["history"][-1]["changed_by"] == "Ana"
    assert shown["history"][-1]["changed_at"] == "2026-02-12"
    assert {"progress", "done", "failure"} <= set(shown["criteria"])
    table = two_pages("commitments", "show", "inesia")
    assert "counts as done:" in table.stdout and "2026-02-12" in table.stdout


def test_review_names_the_reviewer_from_the_setting_never_the_account(two_pages, db: str) -> None:
    with session_scope(db) as session:
        proposal = session.scalar(
            select(Evidence.id).where(Evidence.proposed_status.is_not(None)).order_by(Evidence.id)
        )
    assert proposal is not None, "the INESIA roadmap page proposes a status"
    nobody = two_pages("review", "accept", str(proposal))
    assert nobody.code == 2 and nobody.stderr.startswith("error: ") and "--by" in nobody.stderr
    accepted = two_pages(
        "review", "accept", str(proposal), extra_env={"SUMMITWATCH_TRACKER__REVIEWER": "Bea"}
    )
    assert accepted.code == 0, accepted.output
    with session_scope(db) as session:
        change = session.scalar(select(StatusChange).order_by(StatusChange.id.desc()))
        assert change is not None
        assert change.changed_by == "Bea"
        assert dated(change.changed_at, None) == "2026-02-12"


def test_a_deadline_passed_with_no_progress_stalls_from_the_day_after(db: str) -> None:
    with session_scope(db) as session:
        campus = session.scalar(select(Commitment).where(Commitment.slug == "uae-france-ai-campus"))
        assert campus is not None and campus.deadline is not None
        _, pub = upsert_publication(
            session,
            PublicationInput(
                url="https://www.elysee.fr/2025/05/19/choose-france",
                source="elysee",
                title="Choose France : première tranche du campus franco-émirien",
                body="La première tranche du campus est annoncée.",
                published_at=start_of_day(date(2025, 5, 19)),
                date_precision="day",
            ),
        )
        session.add(
            Evidence(
                commitment_id=campus.id,
                publication_id=pub.id,
                score=0.9,
                signal="progress",
                excerpt="La première tranche du campus est annoncée.",
                matched_terms=[],
                review_state="accepted",
            )
        )
        session.flush()
        changes = apply_all(session, "Ana")
        moved = {c.commitment.slug: c for c in changes}
        act = moved["ai-act-national-authorities"]  # 2 August 2025, nothing reported
        assert (act.old_status, act.new_status, act.changed_by) == ("not_rated", "stalled", "Ana")
        assert dated(act.changed_at, None) == "2025-08-03"
        assert act.note == "deadline passed (2025-08-02) with no progress reported"
        assert "uae-france-ai-campus" not in moved  # its deadline was met by accepted evidence
        assert "inesia" not in moved  # deadline still ahead
