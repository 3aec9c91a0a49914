"""`db`, `baseline` and `config`: setting the database up and seeing the settings."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from storage import migrate
from storage.baseline import COMMITMENTS_FILE, SOURCES_FILE, load, read_commitments, read_sources
from storage.db import get_engine, session_scope
from summitwatch.cli.output import console
from summitwatch.config import get_settings, mask_url

db_app = typer.Typer(help="Create, upgrade and inspect the database schema.", no_args_is_help=True)
baseline_app = typer.Typer(help="The baseline of summit commitments.", no_args_is_help=True)
config_app = typer.Typer(help="The effective settings.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create the schema, or bring it to the newest revision."""
    engine = get_engine()
    before = migrate.current_revision(engine)
    migrate.upgrade(engine, revision)
    after = migrate.current_revision(engine)
    where = mask_url(get_settings().effective_database_url)
    if before == after:
        console.print(f"database {where} already at {after}")
    else:
        console.print(f"database {where} upgraded: {before or 'empty'} -> {after}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument(..., help="Target revision ('base' drops every table)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Step the schema back (destroys the data of the dropped tables)."""
    if not yes:
        typer.confirm(
            f"Downgrade {mask_url(get_settings().effective_database_url)} to {revision}?", abort=True
        )
    migrate.downgrade(get_engine(), revision)
    console.print(f"database at {migrate.current_revision(get_engine()) or 'base (empty)'}")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision and whether it is the newest."""
    current = migrate.current_revision()
    head = migrate.head_revision()
    state = "up to date" if current == head else f"behind (newest is {head}): run `summitwatch db upgrade`"
    console.print(f"{current or 'empty'}: {state}")


@baseline_app.command("load")
def baseline_load(
    commitments: Path = typer.Option(COMMITMENTS_FILE, "--commitments", help="Commitments YAML file."),
    sources: Path = typer.Option(SOURCES_FILE, "--sources", help="Sources YAML file."),
) -> None:
    """Validate the baseline files and upsert them; evidence and history are kept."""
    with session_scope() as session:
        report = load(session, commitments, sources)
    for slug in report.created:
        console.print(f"  + {slug}")
    for slug, fields in report.updated.items():
        console.print(f"  ~ {slug}: {', '.join(fields)}")
    for slug in report.not_in_file:
        console.print(f"  ! {slug}: in the database but no longer in the file (kept, with its evidence)")
    console.print(
        f"baseline loaded: {report.changes} changes ({len(report.created)} new, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged commitments; {len(report.sources_created)} new and "
        f"{len(report.sources_updated)} updated sources)"
    )


@baseline_app.command("check")
def baseline_check(
    commitments: Path = typer.Option(COMMITMENTS_FILE, "--commitments"),
    sources: Path = typer.Option(SOURCES_FILE, "--sources"),
) -> None:
    """Validate the baseline files without touching the database."""
    specs = read_commitments(commitments)
    source_specs = read_sources(sources)
    console.print(f"{commitments}: {len(specs)} commitments; {sources}: {len(source_specs)} sources: valid")


@config_app.command("show")
def config_show(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the effective settings, secrets masked."""
    data = get_settings().masked()
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            console.print(f"{prefix} = {value!r}", highlight=False)

    walk("", data)
