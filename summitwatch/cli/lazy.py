"""Subcommands imported only when they run, so `summitwatch --help` does not load Scrapy or scikit-learn.

Importing every command module up front cost about a second (Scrapy, scikit-learn, FastAPI,
Alembic) before any command did anything. A lazy group knows each subcommand by its name,
where it lives (``module:attribute``) and its one-line help; it imports the module only
when the command is resolved, and lists the stored help line in ``--help``.
`tests/test_cli_lazy.py` checks the stored lines against the real ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

try:  # Typer 0.2x carries its own copy of Click; older ones use Click itself
    from typer import _click as click
except ImportError:  # pragma: no cover - depends on the installed Typer
    import click  # type: ignore[no-redef]


@dataclass(frozen=True)
class Lazy:
    """A subcommand not imported yet: ``target`` is ``module:attribute`` (a Typer app or a function)."""

    target: str
    help: str

    def load(self, name: str) -> click.Command:
        """Import the target and turn it into the Click command Typer would have built."""
        module, _, attribute = self.target.partition(":")
        obj = getattr(importlib.import_module(module), attribute)
        if isinstance(obj, typer.Typer):
            command: click.Command = typer.main.get_group(obj)
        else:
            holder = typer.Typer()
            holder.command(name)(obj)
            command = typer.main.get_command(holder)
        command.name = name
        return command


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name; a lazy one is imported the first time it is looked up."""

    def __init__(self, loaded: MutableMapping[str, click.Command], lazy: dict[str, Lazy]) -> None:
        self._loaded = dict(loaded)
        self._lazy = dict(lazy)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in self._lazy:
            self._loaded[name] = self._lazy[name].load(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._loaded.pop(name, None)
        self._lazy.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._loaded
        yield from (n for n in self._lazy if n not in self._loaded)

    def __len__(self) -> int:
        return len(set(self._loaded) | set(self._lazy))

    def stand_in(self, name: str) -> click.Command | None:
        """A loaded command, or a placeholder carrying the stored help line (for `--help`)."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self._lazy.get(name)
        return None if entry is None else TyperCommand(name, help=entry.help)


def lazy_group(commands: dict[str, Lazy]) -> type[TyperGroup]:
    """A Typer group class (``typer.Typer(cls=...)``) whose ``commands`` are imported on use."""

    class LazyGroup(TyperGroup):
        def __init__(self, **attrs: Any) -> None:
            super().__init__(**attrs)
            self.commands = LazyCommands(self.commands, commands)
            self._describing = False

        def list_commands(self, ctx: click.Context) -> list[str]:
            return list(self.commands)

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            table = self.commands
            if self._describing and isinstance(table, LazyCommands):
                return table.stand_in(cmd_name)
            return table.get(cmd_name)

        def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            self._describing = True
            try:
                super().format_help(ctx, formatter)
            finally:
                self._describing = False

    return LazyGroup
