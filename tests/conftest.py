"""Shared fixtures: a fresh database on SQLite and on PostgreSQL, settings, the CLI.

Every test that asks for `db_url` runs twice, once per backend. PostgreSQL is the
server on 127.0.0.1:5432; each run makes its own databases and drops them. When
no server answers, the PostgreSQL half is skipped with a loud message, unless
SUMMITWATCH_REQUIRE_POSTGRES=1 (as in CI), where it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from storage import migrate
from storage.baseline import load
from storage.db import dispose_engines, make_engine, session_scope
from summitwatch.config import reset_settings

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("SUMMITWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ARTIFACTS = REPO / "test-artifacts"

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.webserver",
    "tests.support.smtp",
    "tests.support.scheduler",
    "tests.support.webhook",
]


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


_PG_PROBLEM = _pg_available()


def pytest_report_header(config: pytest.Config) -> str:
    if _PG_PROBLEM is None:
        return f"PostgreSQL: {PG_ADMIN} answers; storage tests run on SQLite and PostgreSQL"
    return f"!!! PostgreSQL NOT AVAILABLE ({_PG_PROBLEM}): the PostgreSQL half of the storage tests is SKIPPED !!!"


def _pg_url(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _need_pg() -> None:
    if _PG_PROBLEM is not None:
        message = f"PostgreSQL unavailable at {PG_ADMIN}: {_PG_PROBLEM}"
        if os.environ.get("SUMMITWATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


_RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated databases with the baseline loaded, copied for each test (fast)."""
    made: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.db"
    for backend in ("sqlite", "postgresql"):
        if backend == "postgresql":
            if _PG_PROBLEM is not None:
                continue
            name = f"sw_tmpl_{_RUN}"
            _pg_admin(f'CREATE DATABASE "{name}"')
            url = _pg_url(name)
        else:
            url = f"sqlite:///{sqlite_file}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        with session_scope(url) as session:
            load(session)
        engine.dispose()
        dispose_engines()
        made[backend] = url
    yield made
    dispose_engines()
    if "postgresql" in made:
        _pg_admin(f'DROP DATABASE IF EXISTS "sw_tmpl_{_RUN}" WITH (FORCE)')


def fresh_database(backend: str, tmp_path: Path, template: str | None) -> tuple[str, Callable[[], None]]:
    """A new empty (template None) or template-copied database; returns url and a dropper."""
    if backend == "sqlite":
        path = tmp_path / f"db-{uuid.uuid4().hex[:6]}.db"
        if template:
            shutil.copyfile(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}", lambda: None
    _need_pg()
    name = f"sw_test_{_RUN}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""))
    return _pg_url(name), lambda: _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        _need_pg()
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    url, drop = fresh_database(backend, tmp_path, None)
    yield url
    dispose_engines()
    drop()


@pytest.fixture
def db_url(backend: str, tmp_path: Path, _templates: dict[str, str]) -> Iterator[str]:
    """A migrated database with the baseline loaded."""
    url, drop = fresh_database(backend, tmp_path, _templates.get(backend))
    yield url
    dispose_engines()
    drop()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A clean SUMMITWATCH_* environment pointing at a throwaway data dir."""
    for key in list(os.environ):
        if key.startswith("SUMMITWATCH_") and key != "SUMMITWATCH_REQUIRE_POSTGRES":
            monkeypatch.delenv(key)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("SUMMITWATCH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SUMMITWATCH_BASE_URL", "http://sw.test")
    monkeypatch.chdir(tmp_path)
    reset_settings()
    yield {"SUMMITWATCH_DATA_DIR": str(data_dir)}
    reset_settings()
    dispose_engines()


@pytest.fixture
def db(env: dict[str, str], db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`db_url` made the settings' database, for code that reads settings."""
    monkeypatch.setenv("SUMMITWATCH_DATABASE_URL", db_url)
    reset_settings()
    return db_url


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(env: dict[str, str]) -> Callable[..., CliResult]:
    """Run the real `summitwatch` command in a child process, with the test's environment."""

    def run(
        *args: str, input: str | None = None, timeout: float = 120, extra_env: dict[str, str] | None = None
    ) -> CliResult:
        environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(extra_env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "summitwatch", *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
            env=environment,
            cwd=os.getcwd(),
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """A folder under test-artifacts/ for screenshots and rendered files."""
    folder = ARTIFACTS / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
