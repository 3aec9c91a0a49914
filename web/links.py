"""Absolute links built on the configured base URL, never on the request's Host header.

A link that leaves the response (a feed's `rel="self"`, an API `next`) must point at
the site itself whatever `Host` a client sent: the Host header is the client's to
choose, and a cache in between would hand the forged link to everyone.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import URL

from web.render import settings_of


def public_url(request: Request, path: str | None = None, **params: Any) -> str:
    """`base_url` + the request's path and query (or `path` alone), with `params` set over the query."""
    base = settings_of(request).base_url
    own = path is None
    url = URL(base + (request.url.path if own else str(path))).replace(query=request.url.query if own else "")
    return str(url.include_query_params(**params)) if params else str(url)
