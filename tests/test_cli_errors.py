"""Bad input to any command is one `error:` line on stderr and exit code 2: usage errors,
settings, the configuration file, the database URL, baseline files, ids. No traceback, no
boxed panel, and a hostile baseline file (binary, alias bomb) is refused at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storage.db import session_scope
from storage.evidence import get_evidence
from storage.models import MAX_ID
from storage.queries import NotFound
from tests.conftest import CliResult

BOMB = "\n".join(
    ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


def one_error_line(result: CliResult, *wanted: str) -> str:
    assert result.code == 2, result.output
    assert "Traceback" not in result.output and "╭" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for text in wanted:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (["publications", "list", "--since", "2025-13-01"], ["'--since'", "'2025-13-01' is not a date"]),
        (["digest", "preview", "--out", "x.html", "--until", "2025-02-30"], ["'--until'", "not a date"]),
        (["commitments", "list", "--format", "xml"], ["'--format'", "'xml' is not one of"]),
        (["scheduler", "jobs", "--format", "xml"], ["'xml' is not one of"]),
        (["publications", "import", "missing.jsonl"], ["'missing.jsonl' does not exist"]),
        (["review", "accept", "99999999999999999999"], ["evidence_id", "2147483647"]),
        (["review", "reject", "twelve"], ["evidence_id", "integer"]),
        (["alerts", "settle", "99999999999999999999", "sent"], ["alert_id"]),
        (["events", "explain", "0"], ["event_id"]),
        (["evidence", "list", "--limit", "99999999999999999999"], ["'--limit'"]),
        (["digest", "send", "--bogus"], ["No such option: --bogus", "summitwatch digest send --help"]),
        (["db", "downgrade"], ["Missing argument"]),
        (["no-such-command"], ["No such command 'no-such-command'"]),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else None,
)
def test_usage_errors_are_one_line(cli: Callable[..., CliResult], args: list[str], wanted: list[str]) -> None:
    one_error_line(cli(*args), *wanted)


def test_bad_settings_are_one_line(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    unknown = cli("commitments", "list", extra_env={"SUMMITWATCH_DATABASE_URL": "foo://host/db"})
    one_error_line(unknown, "unknown scheme 'foo'", "postgresql://")
    secret = cli(
        "commitments", "list", extra_env={"SUMMITWATCH_DATABASE_URL": "postgresql://u:hunter2@host:port/db"}
    )
    assert "hunter2" not in one_error_line(secret, "cannot be read")
    driver = cli("commitments", "list", extra_env={"SUMMITWATCH_DATABASE_URL": "mysql://u@host/db"})
    one_error_line(driver, "driver")
    toml = tmp_path / "summitwatch.toml"
    toml.write_text('log_level = "INFO\n[web\n', encoding="utf-8")
    one_error_line(cli("commitments", "list"), "config file summitwatch.toml: invalid TOML", "line 1")
    toml.write_bytes(b"\xff\xfe\x00binary")
    one_error_line(cli("config", "show"), "summitwatch.toml")
    toml.unlink()
    one_error_line(cli("commitments", "list", extra_env={"SUMMITWATCH_LOG_LEVEL": "loud"}), "log_level")
    proxies = {"SUMMITWATCH_WEB__TRUSTED_PROXIES": '["not-an-address"]'}
    one_error_line(cli("config", "show", extra_env=proxies), "web.trusted_proxies", "not-an-address")


def test_hostile_baseline_files_are_refused_at_once(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 8)
    one_error_line(cli("baseline", "check", "--commitments", str(binary)), "not UTF-8 text")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    one_error_line(cli("baseline", "check", "--commitments", str(bomb), timeout=30), "aliases")
    huge = tmp_path / "huge.yaml"
    huge.write_text("a: b\n" * 500_000, encoding="utf-8")
    one_error_line(cli("baseline", "load", "--commitments", str(huge), timeout=30), "larger than")
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 100_000, encoding="utf-8")
    one_error_line(cli("baseline", "check", "--commitments", str(deep), timeout=30), "nested too deeply")


def test_an_id_no_row_can_have_is_not_found(db: str, cli: Callable[..., CliResult]) -> None:
    one_error_line(cli("review", "accept", str(MAX_ID)), f"no evidence with id {MAX_ID}")
    for impossible in (MAX_ID + 1, 10**20, 0, -1):
        with session_scope(db) as session, pytest.raises(NotFound):
            get_evidence(session, impossible)
