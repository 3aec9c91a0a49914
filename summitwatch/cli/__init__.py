"""The `summitwatch` command: one Typer app whose groups mirror the library's layers."""

from __future__ import annotations

import logging
import sys

import typer

from summitwatch.cli import admin, cite, errors, overview, publications, query
from summitwatch.cli import alerts as alerts_cli
from summitwatch.cli import crawl as crawl_cli
from summitwatch.cli import digest as digest_cli
from summitwatch.cli import events as events_cli
from summitwatch.cli import service as service_cli
from summitwatch.cli import sources as sources_cli
from summitwatch.cli import stats as stats_cli
from summitwatch.cli import subscribers as subscribers_cli
from summitwatch.cli import tracker as tracker_cli
from summitwatch.cli import web as web_cli
from summitwatch.config import __version__, get_settings

app = typer.Typer(
    name="summitwatch",
    help="Track the follow-up of the Paris AI Action Summit commitments, with evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.add_typer(admin.db_app, name="db")
app.add_typer(admin.baseline_app, name="baseline")
app.add_typer(admin.config_app, name="config")
app.add_typer(query.commitments_app, name="commitments")
query.commitments_app.command("stats")(stats_cli.commitments_stats)
query.commitments_app.command("cite")(cite.commitments_cite)
query.commitments_app.command("history")(cite.commitments_history)
query.evidence_app.command("cite")(cite.evidence_cite)
app.add_typer(publications.publications_app, name="publications")
app.add_typer(query.evidence_app, name="evidence")
app.add_typer(overview.status_app, name="status")
app.command("match")(tracker_cli.match_command)
app.add_typer(tracker_cli.review_app, name="review")
app.add_typer(tracker_cli.tracker_app, name="tracker")
app.add_typer(events_cli.events_app, name="events")
query.evidence_app.command("explain")(tracker_cli.explain_command)
app.command("serve")(web_cli.serve)
app.command("crawl")(crawl_cli.crawl_command)
app.add_typer(sources_cli.sources_app, name="sources")
app.add_typer(digest_cli.digest_app, name="digest")
app.add_typer(alerts_cli.alerts_app, name="alerts")
app.add_typer(subscribers_cli.subscribers_app, name="subscribers")
app.add_typer(service_cli.scheduler_app, name="scheduler")
app.command("run")(service_cli.run)
app.command("demo")(service_cli.demo)


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
