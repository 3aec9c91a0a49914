"""Headers a client can forge, against a real server: `Host` never reaches a link,
`X-Forwarded-For` is believed only from the proxies configured in `web.trusted_proxies`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import feedparser
import httpx
import pytest

from tests.support.webserver import WebServer, seed_tracker

PUBLIC = "https://summitwatch.example/tracker"
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


@pytest.mark.parametrize("backend", ["sqlite"])  # links owe nothing to the database
def test_self_and_next_links_come_from_the_base_url(web_server_factory: Callable[..., WebServer]) -> None:
    site = web_server_factory(base_url=PUBLIC)
    seed_tracker(site.db_url)
    with httpx.Client(base_url=site.url, timeout=15, headers=FORGED) as client:
        feed = client.get("/feeds/evidence.atom", params={"commitment": "inesia", "lang": "en"})
        assert feed.status_code == 200
        links = {link["rel"]: link["href"] for link in feedparser.parse(feed.content).feed.links}
        assert links["self"] == f"{PUBLIC}/feeds/evidence.atom?commitment=inesia&lang=en"
        pubs = client.get("/api/v1/publications", params={"per_page": 2, "source": "anssi"}).json()
        next_url = urlsplit(pubs["next"])
        assert f"{next_url.scheme}://{next_url.netloc}{next_url.path}" == f"{PUBLIC}/api/v1/publications"
        assert parse_qs(next_url.query) == {"per_page": ["2"], "source": ["anssi"], "page": ["2"]}
        evidence = client.get("/api/v1/evidence", params={"per_page": 1}).json()
        assert evidence["next"].startswith(f"{PUBLIC}/api/v1/evidence?")
        detail = client.get("/api/v1/commitments/inesia").json()
        assert detail["evidence_url"] == f"{PUBLIC}/api/v1/evidence?commitment=inesia"
        for answer in (feed, client.get("/api/v1/events"), client.get("/api/v1/commitments")):
            assert "evil.example" not in answer.text


def subscribe(client: httpx.Client, email: str, forwarded_for: str) -> int:
    page = client.get("/subscribe")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return client.post(
        "/subscribe",
        data={"email": email, "language": "fr", "csrf_token": match.group(1)},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


@pytest.mark.parametrize("backend", ["sqlite"])
def test_forwarded_for_is_believed_only_from_configured_proxies(
    web_server_factory: Callable[..., WebServer],
) -> None:
    limits = {"web__subscribe_per_client_per_hour": "3", "web__subscribe_per_email_per_hour": "10"}
    direct = web_server_factory(**limits)  # default: no proxy believed, not even on loopback
    with httpx.Client(base_url=direct.url, timeout=15) as client:
        codes = [subscribe(client, f"d{i}@example.org", f"198.51.100.{i}") for i in range(4)]
    assert codes == [200, 200, 200, 429], "a made-up X-Forwarded-For must not reset the limit"

    proxied = web_server_factory(**limits, web__trusted_proxies='["127.0.0.0/8"]')
    with httpx.Client(base_url=proxied.url, timeout=15) as client:
        spread = [subscribe(client, f"p{i}@example.org", f"203.0.113.{i}") for i in range(4)]
        one = [subscribe(client, f"q{i}@example.org", "203.0.113.77") for i in range(4)]
    assert spread == [200, 200, 200, 200], "behind a configured proxy, each forwarded client counts alone"
    assert one == [200, 200, 200, 429]
