"""Database failures as the layers above see them, without importing SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError, ProgrammingError

DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, ProgrammingError)


class DatabaseUrlError(ValueError):
    """The database URL names no database summitwatch can open; the message says what to write."""


def describe(exc: BaseException) -> str:
    """The first line of the driver's message: what a person needs to see."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
