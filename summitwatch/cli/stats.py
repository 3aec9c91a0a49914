"""`commitments stats`: the dashboard's overview in a terminal (counts, kept rate, overdue, themes)."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import typer
from rich.text import Text

from storage.db import session_scope
from storage.models import SIGNALS, STATUSES, THEMES
from storage.overview import Filters, overview
from summitwatch.cli.fit import Column, print_table
from summitwatch.cli.output import Format, console, parse_since, words

# Rich colour names near the web's status colours (web/static/site.css).
STATUS_STYLES = {
    "not_rated": "grey62",
    "in_progress": "blue",
    "achieved": "green",
    "partially_achieved": "cyan",
    "stalled": "dark_orange",
    "broken": "red",
}
BAR_WIDTH = 60


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r}: choose from {', '.join(allowed)}", param_hint=f"'{option}'")
    return value


def _rate(kept: dict[str, Any]) -> str:
    rate = "n/a" if kept["rate"] is None else f"{kept['rate']:.0%}"
    return f"{rate} ({kept['numerator']}/{kept['denominator']})"


def _bar(by_status: dict[str, int], total: int) -> Text:
    """One bar of coloured blocks, each status's share of BAR_WIDTH (at least one block when present)."""
    bar = Text()
    for status in STATUSES:
        count = by_status.get(status, 0)
        if count:
            bar.append("█" * max(1, round(BAR_WIDTH * count / total)), style=STATUS_STYLES[status])
    return bar


def print_overview(figures: dict[str, Any]) -> None:
    """The figures as a person reads them: bar with its legend, kept rate, overdue, per-theme table."""
    total = figures["total"]
    console.print(f"Commitments: {total}", highlight=False)
    if not total:
        return
    console.print(_bar(figures["by_status"], total))
    for status in STATUSES:
        count = figures["by_status"][status]
        if count:
            console.print(Text("■ ", style=STATUS_STYLES[status]) + Text(words.status_count(status, count)))
    kept = figures["kept_rate"]
    console.print(
        f"Kept rate: {_rate(kept)} = achieved ÷ resolved ({words('resolved_means')})",
        highlight=False,
    )
    overdue = figures["overdue_commitments"]
    console.print(
        f"Overdue: {figures['overdue']} (deadline passed, not resolved)"
        + (f": {', '.join(overdue)}" if overdue else ""),
        highlight=False,
        soft_wrap=False,
    )
    print_table(
        console,
        figures["by_theme"],
        [
            Column("theme", lambda r: r["theme"]),
            Column("n", lambda r: r["total"], justify="right"),
            Column("kept", lambda r: _rate(r["kept_rate"]), priority=1, justify="right"),
            Column("overdue", lambda r: r["overdue"], priority=1, justify="right"),
            Column(
                "by status",
                lambda r: ", ".join(words.status_count(s, n) for s, n in r["by_status"].items() if n),
                priority=2,
                wraps=True,
                least=16,
            ),
        ],
        title="By theme",
        hidden_hint="all of it: --format json",
    )


def commitments_stats(
    status: str | None = typer.Option(None, "--status", help=f"One of: {', '.join(STATUSES)}."),
    theme: str | None = typer.Option(None, "--theme", help=f"One of: {', '.join(THEMES)}."),
    actor: str | None = typer.Option(None, "--actor", help="Part of an actor's name."),
    signal: str | None = typer.Option(None, "--signal", help="Commitments with evidence of this signal."),
    changed_since: str | None = typer.Option(
        None, "--changed-since", help="Evidence or a status change since (YYYY-MM-DD)."
    ),
    today: str | None = typer.Option(None, "--today", help="Reckon overdue from this day (YYYY-MM-DD)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, or json for scripts."),
) -> None:
    """Counts by status, kept rate (achieved ÷ resolved), overdue count, per theme: as /api/v1/stats."""
    filters = Filters(
        _choice(status, STATUSES, "--status"),
        _choice(theme, THEMES, "--theme"),
        actor,
        _choice(signal, SIGNALS, "--signal"),
        parse_since(changed_since, "--changed-since"),
    )
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise typer.BadParameter(f"{today!r} is not a date (YYYY-MM-DD)", param_hint="'--today'") from None
    with session_scope() as session:
        figures = overview(session, filters, today=day)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.csv:
        raise typer.BadParameter("stats print as a table or JSON", param_hint="'--format'")
    print_overview(figures)
