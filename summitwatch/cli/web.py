"""`summitwatch serve`: the web app (pages, API, feed) under uvicorn, in one or several worker processes."""

from __future__ import annotations

import typer

from summitwatch.config import get_settings

WORKERS = typer.Option(
    None,
    "--workers",
    "-w",
    min=1,
    max=64,
    help="uvicorn worker processes (default: settings web.workers, 1).",
)


def serve(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default: settings web.host, 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="Port to listen on (default: settings web.port, 8000)."
    ),
    workers: int | None = WORKERS,
) -> None:
    """Serve the dashboard, subscription pages, JSON API and Atom feed with uvicorn."""
    import uvicorn

    from web.app import create_app
    from web.serving import Workers, server_config

    settings = get_settings()
    host, port = host or settings.web.host, port or settings.web.port
    count = workers or settings.web.workers
    if count > 1:
        if not Workers(settings, host, port, count).run():
            raise typer.Exit(3)
        return
    server = uvicorn.Server(server_config(create_app(settings), settings, host, port))
    server.run()
    if not server.started:  # uvicorn logged why (address in use, …)
        raise typer.Exit(3)
