"""Every failure the CLI expects, as one `error:` line on stderr and an exit code.

Typer prints usage errors in a boxed panel, and anything raised below it as a
traceback. `run` calls the app in Click's non-standalone mode instead, so each bad
input — a usage error (unknown option, bad value, missing file), a setting, the
configuration file, the database URL, a baseline file, an id — comes out as one line
naming the problem, with exit code 2.
"""

from __future__ import annotations

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape

from summitwatch.config import ConfigError

try:  # Typer 0.2x carries its own copy of Click; older ones use Click itself
    from typer._click import exceptions as usage
except ImportError:  # pragma: no cover - depends on the installed Typer
    from click import exceptions as usage  # type: ignore[no-redef]

BAD_INPUT = 2
err_console = Console(stderr=True)


def _self_explained() -> tuple[type[Exception], ...]:
    """Failures whose message already names the problem and where it is.

    Imported when a command failed, not at start-up: these modules pull in SQLAlchemy
    and the crawler's configuration, which `summitwatch --help` does not need.
    """
    from crawler.sources import SourcesError
    from storage.baseline import BaselineError
    from storage.errors import DatabaseUrlError
    from storage.queries import NotFound
    from storage.status import StatusError

    return (
        BaselineError,
        NotFound,
        StatusError,
        FileNotFoundError,
        ConfigError,
        DatabaseUrlError,
        SourcesError,
    )


def say(message: str) -> None:
    """One `error:` line on stderr, whatever newlines the message had."""
    line = escape(" ".join(message.split()))
    err_console.print(f"[bold red]error:[/] {line}", highlight=False, soft_wrap=True)


def _usage(exc: usage.UsageError) -> str:
    """Click's message, and where to read the command's help."""
    message = exc.format_message().replace("Value error, ", "")  # pydantic's prefix, noise here
    if exc.ctx is not None:
        message = message.rstrip(".") + f" (see `{exc.ctx.command_path} --help`)"
    return message


def run(app: typer.Typer) -> int:
    """Run `app` on the process's arguments; the exit code, each expected failure told in one line."""
    try:
        result = app(standalone_mode=False)
    except usage.NoArgsIsHelpError as exc:  # a group without a command: its help (printed), as before
        if exc.format_message().strip():
            typer.echo(exc.format_message(), err=True)
        return BAD_INPUT
    except usage.UsageError as exc:
        say(_usage(exc))
        return BAD_INPUT
    except usage.ClickException as exc:  # e.g. a file Click could not open
        say(exc.format_message())
        return exc.exit_code
    except typer.Abort:
        say("aborted")
        return 1
    except Exception as exc:
        code = _expected(exc)
        if code is None:
            raise
        return code
    return result if isinstance(result, int) else 0


def _expected(exc: Exception) -> int | None:
    """The exit code of an expected failure, told in one line; None for a bug (re-raised)."""
    from storage.errors import DATABASE_ERRORS, describe

    if isinstance(exc, _self_explained()):
        say(str(exc))
    elif isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        say(f"invalid setting {where}: {first['msg']}")
    elif isinstance(exc, SettingsError):  # e.g. a list variable that is not JSON; its value may be secret
        say(
            f"invalid setting: {exc} (lists are JSON in environment variables, "
            """e.g. SUMMITWATCH_ALERTS__URLS='["json://host/path"]')"""
        )
    elif isinstance(exc, DATABASE_ERRORS):
        say(f"database: {describe(exc)} (is it reachable, and migrated with `summitwatch db upgrade`?)")
    elif isinstance(exc, OSError):  # a file given on the command line that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"{where}{exc.strerror or exc}")
    else:
        return None
    return BAD_INPUT
