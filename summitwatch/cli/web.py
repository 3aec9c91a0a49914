"""`summitwatch serve`: the web app (pages, API, feed) under uvicorn."""

from __future__ import annotations

import typer

from summitwatch.config import get_settings


def serve(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default: settings web.host, 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port to listen on (default: settings web.port, 8000)."
    ),
) -> None:
    """Serve the dashboard, subscription pages, JSON API and Atom feed with uvicorn."""
    import uvicorn

    from web.app import create_app
    from web.serving import server_config

    settings = get_settings()
    config = server_config(
        create_app(settings), settings, host or settings.web.host, port or settings.web.port
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:  # uvicorn logged why (address in use, …)
        raise typer.Exit(3)
