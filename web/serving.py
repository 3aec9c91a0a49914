"""How uvicorn serves the app: one place for the options that decide whom a request comes from.

uvicorn believes `X-Forwarded-For` and `-Proto` from 127.0.0.1 unless told otherwise, so
anyone on the machine (or a proxy that passes the header through) could name any
client and reset the per-client rate limits. Here they are believed only from
`web.trusted_proxies`, and not at all when it is empty (the default).
"""

from __future__ import annotations

from typing import Any

import uvicorn

from summitwatch.config import Settings


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy options for `settings`: off unless proxies are configured."""
    trusted = settings.web.trusted_proxies
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": list(trusted)}


def server_config(app: Any, settings: Settings, host: str, port: int, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration every server of the app uses (`serve`, `run`, `demo`, the tests)."""
    values: dict[str, Any] = {
        "log_level": settings.log_level.lower(),
        "server_header": False,
        **proxy_options(settings),
        **options,
    }
    return uvicorn.Config(app, host=host, port=port, **values)
