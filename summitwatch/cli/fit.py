"""Tables that fit the terminal: columns chosen by priority, words never cut in the middle.

Rich folds a word that is wider than its column ("stateme / nt"). Here every column is
given at least its longest word (a slug or a date: its whole value), and the columns of
least priority are left out until the rest fit; the caption says which were left out and
where to find them (`--format json`, the `show` command).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

Getter = Callable[[dict[str, Any]], Any]
SEPARATOR = 3  # " │ " between two columns of box.SIMPLE_HEAD with padding (0, 1)


@dataclass(frozen=True)
class Column:
    name: str
    get: Getter
    priority: int = 0  # 0: always shown; higher numbers are left out first
    wraps: bool = False  # may break between words (a title); otherwise shown whole
    justify: str = "left"
    least: int = 0  # a wrapping column narrower than this is not worth showing


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _least_width(column: Column, cells: list[str]) -> int:
    """The narrowest the column may be: its longest word if it wraps, else its longest cell."""
    pieces = [column.name]
    for cell in cells:
        pieces += cell.split() if column.wraps else [cell]
    return max(column.least, *(len(piece) for piece in pieces))


def choose(rows: Sequence[dict[str, Any]], columns: Sequence[Column], width: int) -> list[Column]:
    """The columns to show: by priority, as many as fit in `width` at their least widths."""
    cells = {c.name: [_text(c.get(row)) for row in rows] for c in columns}
    least = {c.name: _least_width(c, cells[c.name]) for c in columns}
    kept = list(columns)
    droppable = sorted((c for c in columns if c.priority), key=lambda c: -c.priority)

    def total() -> int:
        return sum(least[c.name] for c in kept) + SEPARATOR * (len(kept) - 1)

    while droppable and total() > width:
        kept.remove(droppable.pop(0))
    return kept


def print_table(
    console: Console,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    title: str,
    hidden_hint: str,
) -> None:
    """`rows` as a table no wider than the console; names what was left out, if anything."""
    shown = choose(rows, columns, console.width)
    cells = {c.name: [_text(c.get(row)) for row in rows] for c in shown}
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        highlight=False,
        expand=False,
    )
    for column in shown:
        table.add_column(
            column.name,
            min_width=_least_width(column, cells[column.name]),
            no_wrap=not column.wraps,
            overflow="fold" if column.wraps else "ellipsis",
            justify=column.justify,  # type: ignore[arg-type]
        )
    for index in range(len(rows)):
        table.add_row(*(cells[c.name][index] for c in shown))
    console.print(table)
    if not rows:
        console.print("(nothing to show)")
    left_out = [c.name for c in columns if c not in shown]
    if left_out:
        console.print(
            f"({', '.join(left_out)} left out to fit {console.width} columns; {hidden_hint})", highlight=False
        )
