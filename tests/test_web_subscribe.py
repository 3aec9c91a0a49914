"""Subscription pages against a real server and a real SMTP server, on SQLite and PostgreSQL.

Everything refused must be refused with a clear 4xx and leave the database and the
mailbox as they were.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Subscriber
from tests.support.webserver import Mailbox, WebServer

LINK = re.compile(r"https?://[^\s\"'<>]+/(confirm|manage|unsubscribe)\?token=[^\s\"'<>]+")


@pytest.fixture
def site(web_server_factory: Callable[..., WebServer], web_smtp: Mailbox) -> WebServer:
    return web_server_factory(
        smtp_host=web_smtp.host,
        smtp_port=str(web_smtp.port),
        web__subscribe_per_email_per_hour="10",
        web__subscribe_per_client_per_hour="50",
    )


def form_token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "no CSRF token in the form"
    return match.group(1)


def post_subscribe(client: httpx.Client, email: str, **extra: str) -> httpx.Response:
    token = form_token(client, "/subscribe")
    return client.post("/subscribe", data={"email": email, "language": "fr", "csrf_token": token, **extra})


def links(message_text: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in LINK.finditer(message_text)}


def subscribers(db_url: str) -> list[tuple[str, str]]:
    with session_scope(db_url) as session:
        return [(s.email, s.state) for s in session.scalars(select(Subscriber).order_by(Subscriber.id))]


def confirm_via(client: httpx.Client, confirm_link: str) -> httpx.Response:
    path = urlsplit(confirm_link)
    token = parse_qs(path.query)["token"][0]
    csrf = form_token(client, f"{path.path}?{path.query}")
    return client.post("/confirm", data={"token": token, "csrf_token": csrf})


def test_subscribe_answers_the_same_bytes_for_every_state(site: WebServer, web_smtp: Mailbox) -> None:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        new = post_subscribe(client, "Someone@Example.org")
        assert new.status_code == 200 and "Vérifiez votre boîte" in new.text
        pending = post_subscribe(client, "someone@example.org")
        confirm_link = links(Mailbox.text_of(web_smtp.wait(1)[0]))["confirm"]
        assert confirm_via(client, confirm_link).status_code == 200
        assert subscribers(site.db_url) == [("someone@example.org", "active")]
        active = post_subscribe(client, "someone@example.org")
        with session_scope(site.db_url) as session:
            session.scalars(select(Subscriber)).one().state = "unsubscribed"
        unsubscribed = post_subscribe(client, "someone@example.org")
    assert new.content == pending.content == active.content == unsubscribed.content
    assert {k: v for k, v in new.headers.items() if k != "date"} == {
        k: v for k, v in unsubscribed.headers.items() if k != "date"
    }


def test_confirm_token_cannot_be_replayed_or_tampered(site: WebServer, web_smtp: Mailbox) -> None:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        assert post_subscribe(client, "replay@example.org").status_code == 200
        link = links(Mailbox.text_of(web_smtp.wait(1)[0]))["confirm"]
        token = parse_qs(urlsplit(link).query)["token"][0]
        tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
        bad = client.post(
            "/confirm",
            data={
                "token": tampered,
                "csrf_token": form_token(client, urlsplit(link).path + "?token=" + token),
            },
        )
        assert bad.status_code == 400 and "Lien invalide" in bad.text
        assert subscribers(site.db_url) == [("replay@example.org", "pending")]
        assert confirm_via(client, link).status_code == 200
        again = confirm_via(client, link)
        assert again.status_code == 400 and "Lien invalide" in again.text
        for path in ("/manage", "/unsubscribe"):
            assert client.get(f"{path}?token={tampered}").status_code == 400
            assert client.get(f"{path}?token=").status_code == 400
        one_click = client.post(
            f"/unsubscribe/one-click?token={tampered}", data={"List-Unsubscribe": "One-Click"}
        )
        assert one_click.status_code == 400
    assert subscribers(site.db_url) == [("replay@example.org", "active")]


def test_expired_confirmation_link_is_refused(
    site: WebServer, web_smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import itsdangerous.timed

    real = time.time
    monkeypatch.setattr(
        itsdangerous.timed, "time", type("Clock", (), {"time": staticmethod(lambda: real() - 60 * 86400)})
    )
    with httpx.Client(base_url=site.url, timeout=15) as client:
        assert post_subscribe(client, "late@example.org").status_code == 200
        link = links(Mailbox.text_of(web_smtp.wait(1)[0]))["confirm"]
        monkeypatch.undo()
        expired = confirm_via(client, link)
    assert expired.status_code == 400 and "Lien invalide" in expired.text
    assert subscribers(site.db_url) == [("late@example.org", "pending")]


def test_state_changing_posts_need_csrf_and_same_site(site: WebServer, web_smtp: Mailbox) -> None:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        no_token = client.post("/subscribe", data={"email": "csrf@example.org", "language": "fr"})
        assert no_token.status_code == 403 and "Formulaire expiré" in no_token.text
        token = form_token(client, "/subscribe")
        data = {"email": "csrf@example.org", "language": "fr", "csrf_token": token}
        cross = client.post("/subscribe", data=data, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403
        fetch = client.post("/subscribe", data=data, headers={"Sec-Fetch-Site": "cross-site"})
        assert fetch.status_code == 403
        forged = client.post("/subscribe", data={**data, "csrf_token": token[:-2] + "xx"})
        assert forged.status_code == 403
    with httpx.Client(base_url=site.url, timeout=15) as stranger:  # another browser: its cookie differs
        stranger.get("/subscribe")
        assert stranger.post("/subscribe", data=data).status_code == 403
    for path in ("/confirm", "/manage", "/unsubscribe", "/review/login"):
        assert httpx.post(site.url + path, data={"token": "x"}).status_code == 403
    assert subscribers(site.db_url) == []
    assert web_smtp.messages == []


@pytest.mark.parametrize(
    "email",
    [
        "a" * 300 + "@example.org",
        "victim@example.org\r\nBcc: everyone@example.org",
        "<script>alert(1)</script>@example.org",
        "no-at-sign.example.org",
        "two@@example.org",
        "",
    ],
    ids=["over-long", "header-injection", "script", "no-at", "double-at", "empty"],
)
def test_bad_email_is_refused_clearly(site: WebServer, web_smtp: Mailbox, email: str) -> None:
    with httpx.Client(base_url=site.url, timeout=15) as client:
        response = post_subscribe(client, email)
    assert response.status_code == 400
    assert "Adresse électronique invalide" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert subscribers(site.db_url) == []
    assert web_smtp.messages == []


def test_rate_limits_per_email_and_per_client(
    web_server_factory: Callable[..., WebServer], web_smtp: Mailbox
) -> None:
    site = web_server_factory(
        smtp_host=web_smtp.host,
        smtp_port=str(web_smtp.port),
        web__subscribe_per_email_per_hour="2",
        web__subscribe_per_client_per_hour="4",
    )
    with httpx.Client(base_url=site.url, timeout=15) as client:
        assert post_subscribe(client, "limit@example.org").status_code == 200
        assert post_subscribe(client, "LIMIT@example.org").status_code == 200
        third = post_subscribe(client, "limit@example.org")
        assert third.status_code == 429 and "Trop de demandes" in third.text
        assert post_subscribe(client, "other@example.org").status_code == 200
        fifth = post_subscribe(client, "third@example.org")
        assert fifth.status_code == 429
    assert sorted(email for email, _ in subscribers(site.db_url)) == [
        "limit@example.org",
        "other@example.org",
    ]
    with session_scope(site.db_url) as session:
        assert session.scalar(select(func.count(Subscriber.id))) == 2
