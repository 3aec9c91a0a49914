"""`/api/docs` names no other host: its assets and its policy are the app's own."""

from __future__ import annotations

import re

import httpx

from tests.support.webserver import WebServer


def test_docs_page_and_assets_are_served_locally(web_server: WebServer) -> None:
    page = httpx.get(web_server.url + "/api/docs", timeout=10)
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "validatorUrl" in page.text  # the online validator badge is switched off
    policy = page.headers["content-security-policy"]
    assert "http" not in policy and "script-src 'self'" in policy
    for asset in ("/api/docs-assets/swagger-ui-bundle.js", "/api/docs-assets/swagger-ui.css"):
        answer = httpx.get(web_server.url + asset, timeout=10)
        assert answer.status_code == 200 and len(answer.content) > 100_000
    spec = httpx.get(web_server.url + "/api/openapi.json", timeout=10).json()
    assert "/api/v1/stats" in spec["paths"] and "/api/docs" not in spec["paths"]
