"""Hostile requests against a real uvicorn server, over raw sockets: bodies streamed past the
limit, ids out of range, NUL bytes in URLs, a route that fails. Each gets its answer and the
kept-alive connection goes on serving.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest

from storage.db import session_scope
from storage.models import MAX_ID, Evidence
from summitwatch.config import get_settings
from tests.support.rawhttp import RawConnection
from tests.support.webserver import WebServer, free_port, seed_tracker, start_server
from web.app import MAX_BODY_BYTES, create_app

TOKEN = "review-token-for-tests-0123456789"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def csrf_for(site: WebServer, path: str, action: str) -> tuple[str, str]:
    """The CSRF cookie and the form token of the form posting to `action` on page `path`."""
    with httpx.Client(base_url=site.url, timeout=15, headers={"X-Review-Token": TOKEN}) as client:
        page = client.get(path)
        match = re.search(
            rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
            page.text,
        )
        assert match, f"no form posting to {action} on {path}"
        return client.cookies["sw_csrf"], match.group(1)


@pytest.mark.parametrize("backend", ["sqlite"])  # the body limit has nothing to do with the database
def test_a_chunked_body_past_the_limit_is_refused_while_it_streams(web_server: WebServer) -> None:
    cookie, token = csrf_for(web_server, "/subscribe", "/subscribe")
    with RawConnection(web_server.url) as conn:
        head = conn.head(
            "POST",
            "/subscribe",
            {**FORM, "Transfer-Encoding": "chunked", "Cookie": f"sw_csrf={cookie}"},
        )
        conn.sock.sendall(head + b"%x\r\n%s\r\n" % (len(token) + 12, f"csrf_token={token}&".encode()))
        sent = conn.stream_chunks(b"email=" + b"a" * 65530, up_to=200 * 1024 * 1024)
        reply = conn.read_reply()
    assert reply.status == 413, reply.text
    assert "too large" in reply.text
    # the server stopped reading at the limit: what went was what the socket buffers hold
    assert sent < 64 * 1024 * 1024, f"{sent} bytes went before the answer"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_small_chunked_form_is_read_as_any_other(web_server: WebServer) -> None:
    cookie, token = csrf_for(web_server, "/subscribe", "/subscribe")
    body = urlencode({"email": "chunked@example.org", "language": "fr", "csrf_token": token}).encode()
    assert len(body) < MAX_BODY_BYTES
    with RawConnection(web_server.url) as conn:
        head = conn.head(
            "POST", "/subscribe", {**FORM, "Transfer-Encoding": "chunked", "Cookie": f"sw_csrf={cookie}"}
        )
        half = len(body) // 2
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:]))
        conn.sock.sendall(head + chunks + b"0\r\n\r\n")
        reply = conn.read_reply()
        assert reply.status == 200, reply.text
        assert conn.request("GET", "/healthz").status == 200


def test_out_of_range_ids_and_nul_bytes_are_4xx_and_the_connection_lives(
    web_server_factory: Callable[..., WebServer],
) -> None:
    site = web_server_factory(review_token=TOKEN)
    seed_tracker(site.db_url)
    page = httpx.get(site.url + "/review", headers={"X-Review-Token": TOKEN}, timeout=15).text
    evidence_id = int(re.findall(r'id="proposal-(\d+)"', page)[0])
    cookie, token = csrf_for(site, "/review", f"/review/{evidence_id}")
    decide = {**FORM, "Cookie": f"sw_csrf={cookie}", "X-Review-Token": TOKEN}
    accept = urlencode({"decision": "accept", "csrf_token": token}).encode()
    with RawConnection(site.url) as conn:
        answers = {
            "huge id": conn.request("POST", "/review/99999999999999999999", decide, accept),
            "past INTEGER": conn.request("POST", f"/review/{MAX_ID + 1}", decide, accept),
            "largest id": conn.request("POST", f"/review/{MAX_ID}", decide, accept),
            "NUL in page path": conn.request("GET", "/commitments/ab%00c"),
            "NUL in API path": conn.request("GET", "/api/v1/commitments/ab%00c"),
            "NUL in search": conn.request("GET", "/publications?q=ab%00c"),
            "NUL in API search": conn.request("GET", "/api/v1/publications?search=ab%00c"),
            "NUL in feed filter": conn.request("GET", "/feeds/evidence.atom?commitment=ab%00c"),
        }
        for what, reply in answers.items():
            assert 400 <= reply.status < 500, f"{what}: {reply.status} {reply.text[:300]}"
        assert answers["largest id"].status == 404
        assert answers["NUL in page path"].status == 400
        # the same connection, still open, still serving
        assert conn.request("GET", "/api/v1/commitments/inesia").status == 200
        noted = urlencode({"decision": "accept", "csrf_token": token, "note": "vu\x00\x1b[2J ok"}).encode()
        done = conn.request("POST", f"/review/{evidence_id}", decide, noted)
        assert done.status == 303, done.text
    with session_scope(site.db_url) as session:
        evidence = session.get(Evidence, evidence_id)
        assert evidence is not None and evidence.review_note == "vu ok"  # stored without its controls


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_failing_route_answers_500_and_keeps_the_connection(db: str) -> None:
    app = create_app(get_settings())

    @app.get("/api/v1/fails")
    def fails() -> None:  # a bug anywhere in a route
        raise RuntimeError("a bug")

    server, thread = start_server(app, port := free_port())
    try:
        with RawConnection(f"http://127.0.0.1:{port}") as conn:
            broken = conn.request("GET", "/api/v1/fails")
            assert broken.status == 500 and "a bug" not in broken.text
            assert conn.request("GET", "/healthz").status == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
