"""`summitwatch --help` and light commands start without importing Scrapy, scikit-learn or FastAPI,
and the help they print is the one the fully loaded command tree prints."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import typer

from summitwatch.cli import COMMANDS, app

try:
    from typer import _click as click
except ImportError:  # pragma: no cover - depends on the installed Typer
    import click  # type: ignore[no-redef]

HEAVY = ("scrapy", "twisted", "sklearn", "fastapi", "uvicorn", "trafilatura", "alembic", "apscheduler")

PROBE = """
import json, sys
from summitwatch.cli import main
sys.argv = ["summitwatch", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED=" + json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def loaded_after(args: list[str]) -> list[str]:
    """The heavy packages imported by a real `summitwatch ARGS` run, in a fresh interpreter."""
    code = PROBE.replace("{heavy}", repr(HEAVY))
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return json.loads(out.rsplit("LOADED=", 1)[1])


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["--version"], set()),
        (["evidence", "--help"], set()),
        (["commitments", "list", "--help"], set()),
        (["digest", "--help"], set()),
        (["crawl", "--help"], set()),  # the crawl itself runs Scrapy in a child process
        (["serve", "--help"], set()),
        (["status", "--help"], {"apscheduler"}),
    ],
)
def test_light_commands_leave_heavy_packages_unimported(args: list[str], allowed: set[str]) -> None:
    assert set(loaded_after(args)) <= allowed


def test_a_command_still_loads_what_it_needs() -> None:
    """The probe sees imports: the `db` group needs Alembic, the scheduler group APScheduler."""
    assert "alembic" in loaded_after(["db", "--help"])
    assert "apscheduler" in loaded_after(["scheduler", "--help"])


def help_text(group: Any, name: str) -> str:
    ctx = click.Context(group, info_name=name)
    return group.get_help(ctx)


@pytest.mark.parametrize("path", [[], ["evidence"]])
def test_help_lines_match_the_loaded_commands(path: list[str]) -> None:
    group: Any = typer.main.get_command(app)
    for name in path:
        group = group.commands[name]
    lazy = help_text(group, "summitwatch")
    for name in list(group.commands):  # import every command: the help then comes from the real ones
        assert group.commands[name].name == name
    assert help_text(group, "summitwatch") == lazy


def test_every_lazy_target_resolves() -> None:
    group: Any = typer.main.get_command(app)
    assert list(group.commands) == list(COMMANDS)
    for name in COMMANDS:
        command = group.get_command(click.Context(group), name)
        assert command is not None and (command.help or "").startswith(COMMANDS[name].help)
