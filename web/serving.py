"""How uvicorn serves the app: one place for the options that decide whom a request comes from.

uvicorn believes `X-Forwarded-For` and `-Proto` from 127.0.0.1 unless told otherwise, so
anyone on the machine (or a proxy that passes the header through) could name any
client and reset the per-client rate limits. Here they are believed only from
`web.trusted_proxies`, and not at all when it is empty (the default).
"""

from __future__ import annotations

from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from summitwatch.config import Settings, get_settings


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


# Each worker process imports this and builds its own app from the settings it inherits
# (environment, summitwatch.toml): uvicorn needs an import string to start workers.
APP_FACTORY = "web.serving:app_from_settings"


def app_from_settings() -> Any:
    """The app one uvicorn worker serves, built in that worker from the process settings."""
    from web.app import create_app

    return create_app(get_settings())


class Workers:
    """`workers` uvicorn processes sharing one listening socket, under uvicorn's own supervisor.

    The parent binds the socket, so a port in use fails here, once; it creates the
    link-signing key first, so that every worker signs with the same one.
    """

    def __init__(self, settings: Settings, host: str, port: int, workers: int) -> None:
        settings.signing_key()
        self.config = server_config(APP_FACTORY, settings, host, port, factory=True, workers=workers)
        self._supervisor: Multiprocess | None = None
        self._stopping = False

    def run(self) -> bool:
        """Serve until stopped (SIGINT/SIGTERM or `stop`); False when the socket could not be bound."""
        try:
            sock = self.config.bind_socket()
        except SystemExit:  # uvicorn logged why (address in use, …)
            return False
        self._supervisor = Multiprocess(self.config, sockets=[sock])
        if self._stopping:
            self._supervisor.should_exit.set()
        try:
            self._supervisor.run()
        finally:
            sock.close()
        return True

    def stop(self) -> None:
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.should_exit.set()
