"""The review pages against a real server, on SQLite and PostgreSQL: token login, the queue, decisions.

Decisions go through `tracker.workflow.review_proposal`, the same code as `summitwatch review`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models import Commitment, Evidence, StatusChange
from tests.support.webserver import WebServer, seed_tracker

TOKEN = "review-token-for-tests-0123456789"


@pytest.fixture
def site(web_server_factory: Callable[..., WebServer]) -> WebServer:
    web = web_server_factory(review_token=TOKEN)
    seeded = seed_tracker(web.db_url)
    with session_scope(web.db_url) as session:  # a second open proposal: "current AI" is achieved
        other = session.scalars(select(Commitment).where(Commitment.slug == seeded["other"])).one()
        evidence = session.scalars(select(Evidence).where(Evidence.commitment_id == other.id)).one()
        evidence.proposed_status = "achieved"
    return web


def form_token(client: httpx.Client, path: str, form: str = "") -> str:
    page = client.get(path)
    assert page.status_code in (200, 401), page.text
    match = re.search(
        rf'action="{re.escape(form or path)}"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
        page.text,
    )
    assert match, f"no CSRF token in the form of {path}"
    return match.group(1)


def proposal_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="proposal-(\d+)"', page)]


def evidence_state(db_url: str, evidence_id: int) -> tuple[str, str | None, str | None, str]:
    with session_scope(db_url) as session:
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None
        return evidence.review_state, evidence.reviewed_by, evidence.review_note, evidence.commitment.status


def test_login_list_accept_with_note_and_reject(site: WebServer) -> None:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        locked = client.get("/review")
        assert locked.status_code == 401 and 'name="review_token"' in locked.text

        csrf = form_token(client, "/review", "/review/login")
        wrong = client.post("/review/login", data={"review_token": "not-it", "csrf_token": csrf})
        assert wrong.status_code == 401
        assert client.get("/review").status_code == 401
        login = client.post("/review/login", data={"review_token": TOKEN, "csrf_token": csrf})
        assert login.status_code == 303 and login.headers["location"] == "/review"
        assert TOKEN not in login.headers["set-cookie"]  # the cookie proves the token, it does not hold it

        queue = client.get("/review")
        assert queue.status_code == 200
        ids = proposal_ids(queue.text)
        assert len(ids) == 2, queue.text
        with session_scope(site.db_url) as session:
            by_slug = {session.get(Evidence, i).commitment.slug: i for i in ids}  # type: ignore[union-attr]
        accepted, rejected = by_slug["current-ai"], by_slug["inesia"]
        assert evidence_state(site.db_url, accepted)[3] == "not_rated"

        csrf = form_token(client, "/review", f"/review/{accepted}")
        decided = client.post(
            f"/review/{accepted}",
            data={"decision": "accept", "note": "Lancé le <b>11 février</b>", "csrf_token": csrf},
        )
        assert decided.status_code == 303 and decided.headers["location"] == "/review?done=1"
        assert evidence_state(site.db_url, accepted) == (
            "accepted",
            "web reviewer",
            "Lancé le <b>11 février</b>",
            "achieved",
        )
        with session_scope(site.db_url) as session:
            change = session.scalars(select(StatusChange).where(StatusChange.evidence_id == accepted)).one()
            assert (change.old_status, change.new_status, change.changed_by) == (
                "not_rated",
                "achieved",
                "web reviewer",
            )
            # The rule that fired comes first, then the reviewer's own note.
            assert change.note == "completion reported (achieved); Lancé le <b>11 février</b>"

        after = client.get("/review?done=1")
        assert proposal_ids(after.text) == [rejected]
        page = client.get("/commitments/current-ai").text
        assert "Lancé le &lt;b&gt;11 février&lt;/b&gt;" in page  # the note shows, escaped

        csrf = form_token(client, "/review", f"/review/{rejected}")
        refused = client.post(
            f"/review/{rejected}",
            data={"decision": "reject", "note": "", "reviewer": "Chloé", "csrf_token": csrf},
        )
        assert refused.status_code == 303
        assert evidence_state(site.db_url, rejected)[:3] == ("rejected", "Chloé", None)  # the form's name
        assert proposal_ids(client.get("/review").text) == []

        again = client.post(f"/review/{accepted}", data={"decision": "reject", "csrf_token": csrf})
        assert again.status_code == 409 and "already accepted" in again.text
        missing = client.post("/review/999999", data={"decision": "accept", "csrf_token": csrf})
        assert missing.status_code == 404
        assert evidence_state(site.db_url, accepted)[0] == "accepted"


def test_decisions_need_the_token_and_a_form_token(site: WebServer) -> None:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        login = form_token(client, "/review", "/review/login")
        assert (
            client.post("/review/login", data={"review_token": TOKEN, "csrf_token": login}).status_code == 303
        )
        page = client.get("/review").text
        evidence_id = proposal_ids(page)[0]
        csrf = form_token(client, "/review", f"/review/{evidence_id}")
        no_form = client.post(f"/review/{evidence_id}", data={"decision": "accept"})
        assert no_form.status_code == 403
        other_form = client.post(f"/review/{evidence_id}", data={"decision": "accept", "csrf_token": login})
        assert other_form.status_code == 403  # tokens are per form
        bad_decision = client.post(f"/review/{evidence_id}", data={"decision": "maybe", "csrf_token": csrf})
        assert bad_decision.status_code == 400

        logout = form_token(client, "/review", "/review/logout")
        assert client.post("/review/logout", data={"csrf_token": logout}).status_code == 303
        logged_out = client.post(f"/review/{evidence_id}", data={"decision": "accept", "csrf_token": csrf})
        assert logged_out.status_code == 401
        wrong = client.post(
            f"/review/{evidence_id}", data={"decision": "accept", "csrf_token": csrf, "review_token": "guess"}
        )
        assert wrong.status_code == 401
    assert evidence_state(site.db_url, evidence_id)[:2] == ("unreviewed", None)


def test_review_is_closed_without_a_configured_token(web_server: WebServer) -> None:
    response = httpx.get(web_server.url + "/review", timeout=10)
    assert response.status_code == 403
    assert 'name="review_token"' not in response.text
