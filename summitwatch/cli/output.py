"""Printing results as a Rich table, JSON or CSV, and parsing the options they share."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from storage.csv_cells import safe_cell
from storage.models import MAX_ID
from summitwatch.words import Words

console = Console()
words = Words("en")  # the CLI speaks English, with the catalogue's words and plurals
err_console = Console(stderr=True)
PARIS = ZoneInfo("Europe/Paris")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def row_id(help: str) -> Any:
    """A positional row id: a whole number that can name a row (1 to MAX_ID), else a usage error."""
    return typer.Argument(..., min=1, max=MAX_ID, help=help)


def parse_since(value: str | None, option: str = "--since") -> datetime | None:
    """A date (YYYY-MM-DD, midnight Europe/Paris) or an ISO datetime, as aware UTC."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), PARIS).astimezone(UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or an ISO datetime", param_hint=f"'{option}'"
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=PARIS)).astimezone(UTC)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    columns: Sequence[tuple[str, str | Callable[[dict[str, Any]], Any]]],
    title: str | None = None,
) -> None:
    """Print `rows`: JSON prints the full dicts; table and CSV print `columns`."""
    if fmt is Format.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
        return

    def value(row: dict[str, Any], getter: str | Callable[[dict[str, Any]], Any]) -> str:
        return _cell(getter(row) if callable(getter) else row.get(getter))

    def csv_value(row: dict[str, Any], getter: str | Callable[[dict[str, Any]], Any]) -> Any:
        raw = getter(row) if callable(getter) else row.get(getter)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return raw  # a negative number is a number, not a formula
        return safe_cell(_cell(raw))

    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([name for name, _ in columns])
        for row in rows:
            writer.writerow([csv_value(row, getter) for _, getter in columns])
        return
    table = Table(title=title, show_lines=False, highlight=False)
    for name, _ in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(value(row, getter) for _, getter in columns))
    console.print(table)
    if not rows:
        console.print("(nothing to show)")
