"""Alembic environment: the URL and connection come from `storage.migrate`."""

from __future__ import annotations

from alembic import context

from storage.models import Base
from storage.search import is_search_object

config = context.config
target_metadata = Base.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave out what the models do not describe: full-text indexes and APScheduler's table."""
    if name and is_search_object(name):
        return False
    return not (type_ == "table" and name == "apscheduler_jobs")


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through storage.migrate, which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
