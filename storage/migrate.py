"""Schema migrations, driven from code so that the CLI, the tests and `run` share them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.db import get_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def _run(engine: Engine, action: str, *args: str) -> None:
    with engine.begin() as connection:
        cfg = _config(engine)
        cfg.attributes["connection"] = connection
        getattr(command, action)(cfg, *args)


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`."""
    _run(engine or get_engine(), "upgrade", revision)


def downgrade(engine: Engine | None = None, revision: str = "base") -> None:
    _run(engine or get_engine(), "downgrade", revision)


def check(engine: Engine | None = None) -> None:
    """Raise if the models and the migrated schema differ (alembic check)."""
    _run(engine or get_engine(), "check")


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config(get_engine("sqlite://"))).get_current_head()
    if head is None:
        raise RuntimeError("no migration found")
    return head


def current_revision(engine: Engine | None = None) -> str | None:
    with (engine or get_engine()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(engine: Engine | None = None) -> bool:
    """True when the database is migrated to the newest revision."""
    return current_revision(engine) == head_revision()
