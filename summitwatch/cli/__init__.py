"""The `summitwatch` command: one Typer app whose groups mirror the library's layers."""

from __future__ import annotations

import logging
import sys

import typer

from summitwatch.cli import errors
from summitwatch.cli.lazy import Lazy, lazy_group
from summitwatch.config import __version__, get_settings

_CLI = "summitwatch.cli."
# Imported when used (see `summitwatch.cli.lazy`); the order is the one `--help` shows.
COMMANDS: dict[str, Lazy] = {
    "match": Lazy(
        _CLI + "tracker:match_command",
        "Link new or changed publications to the commitments they speak of, then send the alerts.",
    ),
    "serve": Lazy(
        _CLI + "web:serve", "Serve the dashboard, subscription pages, JSON API and Atom feed with uvicorn."
    ),
    "crawl": Lazy(
        _CLI + "crawl:crawl_command",
        "Crawl sources (each in its own process); exit 1 when any source failed or is failing.",
    ),
    "run": Lazy(
        _CLI + "service:run",
        "Migrate, load the baseline if needed, then serve the web app and run the scheduler together.",
    ),
    "demo": Lazy(
        _CLI + "service:demo",
        "The whole pipeline offline: local mirrors of the sites, crawl, match, digest, web app.",
    ),
    "db": Lazy(_CLI + "admin:db_app", "Create, upgrade and inspect the database schema."),
    "baseline": Lazy(_CLI + "admin:baseline_app", "The baseline of summit commitments."),
    "config": Lazy(_CLI + "admin:config_app", "The effective settings."),
    "commitments": Lazy(_CLI + "query:commitments_app", "The summit commitments and where each stands."),
    "publications": Lazy(_CLI + "publications:publications_app", "Publications gathered from the sources."),
    "evidence": Lazy(_CLI + "query:evidence_app", "Links between publications and commitments."),
    "status": Lazy(
        _CLI + "overview:status_app", "The service at a glance; `status set` records a status by hand."
    ),
    "review": Lazy(_CLI + "tracker:review_app", "Open status proposals: list them, accept or reject each."),
    "tracker": Lazy(
        _CLI + "tracker:tracker_app",
        "The matcher itself: train it on, and measure it against, real labelled publications.",
    ),
    "events": Lazy(
        _CLI + "events:events_app", "Events: the same happening reported by several publications."
    ),
    "sources": Lazy(_CLI + "sources:sources_app", "The sources crawled, with their health and its reasons."),
    "digest": Lazy(_CLI + "digest:digest_app", "Weekly digests: preview, send, and the delivery ledger."),
    "alerts": Lazy(
        _CLI + "alerts:alerts_app",
        "Alerts between two digests (setbacks, status changes, failing sources) through Apprise URLs.",
    ),
    "subscribers": Lazy(_CLI + "subscribers:subscribers_app", "Digest subscribers (double opt-in)."),
    "scheduler": Lazy(
        _CLI + "service:scheduler_app",
        "The job scheduler: crawls, matching, the weekly digest, housekeeping.",
    ),
}

app = typer.Typer(
    name="summitwatch",
    help="Track the follow-up of the Paris AI Action Summit commitments, with evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=lazy_group(COMMANDS),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"summitwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Settings come from SUMMITWATCH_* variables and an optional summitwatch.toml."""
    logging.basicConfig(
        level=get_settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def main() -> None:
    """Run the CLI: expected failures become one `error:` line (see `summitwatch.cli.errors`)."""
    sys.exit(errors.run(app))
