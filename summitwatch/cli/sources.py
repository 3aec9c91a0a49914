"""`sources list` (one line each, fits 80 columns) and `sources show SLUG` (every reason, in full)."""

from __future__ import annotations

import json
import sys
from textwrap import shorten
from typing import Any

import typer
from rich.markup import escape

from storage.db import session_scope
from storage.queries import list_sources
from storage.source_detail import source_detail
from summitwatch.cli.fit import Column, print_table
from summitwatch.cli.output import Format, console, emit, words

sources_app = typer.Typer(
    help="The sources crawled, with their health and its reasons.", no_args_is_help=True
)

_STYLE = {"ok": "green", "degraded": "yellow", "failing": "bold red"}


def _when(value: object) -> str:
    """An ISO instant as "2026-03-05 10:12" (UTC): short enough for a narrow terminal."""
    text = str(value or "")
    return text[:16].replace("T", " ") if text else "never"


def _found(found_by: str) -> str:
    """How an entry point that is not configured came into the run."""
    if not found_by:
        return "no"
    return f"no, {found_by}" if found_by.startswith("asked") else f"no, found on {found_by}"


def _last(row: dict[str, Any], key: str) -> object:
    run = row.get("last_run")
    return run.get(key) if isinstance(run, dict) else None


@sources_app.command("list")
def sources_list(
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Each source with its health, publications and last run; the first reason below the table."""
    with session_scope() as session:
        rows = list_sources(session)
    if fmt is not Format.table:
        emit(
            rows,
            fmt,
            [
                ("source", "slug"),
                ("health", "health"),
                ("publications", "publications"),
                ("last run", lambda r: _last(r, "started_at")),
                ("status", lambda r: _last(r, "status")),
                ("new", lambda r: _last(r, "new")),
                ("errors", lambda r: _last(r, "errors")),
                ("reasons", lambda r: " | ".join(r["health_reasons"])),
            ],
        )
        return
    print_table(
        console,
        rows,
        [
            Column("source", lambda r: r["slug"]),
            Column("health", lambda r: r["health"]),
            Column("pubs", lambda r: r["publications"], priority=2, justify="right"),
            Column("last run (UTC)", lambda r: _when(_last(r, "started_at")), priority=1),
            Column("new", lambda r: _last(r, "new"), priority=3, justify="right"),
            Column("errors", lambda r: _last(r, "errors"), priority=3, justify="right"),
        ],
        title="Sources",
        hidden_hint="all of it: --format json, or sources show SLUG",
    )
    width = max(40, min(console.width, 100))
    for row in rows:
        reasons = row["health_reasons"]
        if not reasons:
            continue
        more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
        head = f"{row['slug']} {row['health']}: "
        room = width - len(head) - len(more)
        first = shorten(reasons[0], width=max(10, room), placeholder=" …")  # at a word, never inside one
        style = _STYLE.get(row["health"], "")
        console.print(f"[{style}]{escape(head)}[/]{escape(first)}{more}", highlight=False, soft_wrap=True)
    if any(r["health_reasons"] for r in rows):
        console.print("Every reason in full: summitwatch sources show SLUG", highlight=False)


@sources_app.command("show")
def sources_show(
    slug: str = typer.Argument(..., help="Source slug, as `sources list` shows it."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table or json."),
) -> None:
    """One source: its health with every reason, entry points, last runs and refused pages."""
    with session_scope() as session:
        detail = source_detail(session, slug)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(detail, ensure_ascii=False, indent=2) + "\n")
        return
    line = console.print
    style = _STYLE.get(detail["health"], "")
    line(
        f"[bold]{escape(detail['name'])}[/] ({detail['slug']}) {escape(detail['homepage'])}", highlight=False
    )
    line(
        f"health: [{style}]{detail['health']}[/]   publications: {detail['publications']}"
        f"   enabled: {'yes' if detail['enabled'] else 'no'}",
        highlight=False,
    )
    for reason in detail["health_reasons"]:
        line(f"  - {escape(reason)}", highlight=False, soft_wrap=True)
    run = detail["last_run"]
    if run:
        line(
            f"last run {run['started_at']} ({run['mode']}): {run['status']}, "
            f"{run['pages']} pages, {run['new']} new, {run['updated']} updated, "
            f"{run['not_modified']} not modified, {words('errors_n', n=run['errors'])}, {run['refused']} refused, "
            f"{run['fallback_extractions']} by generic extraction",
            highlight=False,
            soft_wrap=True,
        )
    if detail["entry_points"]:
        emit(
            detail["entry_points"],
            Format.table,
            [
                ("kind", "kind"),
                ("url", "url"),
                ("configured", lambda p: "yes" if p["configured"] else _found(p["found_by"])),
                ("state", "state"),
                ("detail", "detail"),
            ],
            title="Entry points of the last run",
        )
    if detail["outside_patterns"]:
        line("Articles outside the configured patterns:", highlight=False)
        for url in detail["outside_patterns"]:
            line(f"  {url}", highlight=False, soft_wrap=True)
    if detail["refusals"]:
        emit(
            detail["refusals"],
            Format.table,
            [("refused", "refused_at"), ("url", "url"), ("why", "reason"), ("snapshot", "snapshot_sha256")],
            title="Refetched pages refused (stored versions kept)",
        )
    if detail["problems"]:
        line("Problems of the last run:", highlight=False)
        for problem in detail["problems"]:
            line(f"  {escape(problem)}", highlight=False, soft_wrap=True)
    emit(
        detail["runs"],
        Format.table,
        [
            ("started (UTC)", lambda r: _when(r["started_at"])),
            ("status", "status"),
            ("health", "health"),
            ("new", "new"),
            ("updated", "updated"),
            ("errors", "errors"),
            ("refused", "refused"),
        ],
        title="Recent runs",
    )
