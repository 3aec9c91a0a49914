"""Named locks shared by every process on one database: scheduler leadership and job runs.

Two mechanisms, so that the guarantee holds on both backends:

* PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) taken on a
  dedicated connection kept open while the lock is held. The server frees it the
  moment that connection dies, so a killed process never blocks the others.
* SQLite (and, for display only, PostgreSQL too): a row in `locks` with a lease
  that its holder renews; an expired lease may be taken over by anyone. Taking and
  renewing are single conditional UPDATE/INSERT statements, atomic on both backends.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from storage.db import is_sqlite, make_engine, normalise_url, session_scope
from storage.models import Lock, utcnow
from summitwatch.config import get_settings

log = logging.getLogger(__name__)

_lock_engines: dict[str, Engine] = {}


def new_holder(role: str = "") -> str:
    """A name for this process that says where it runs: host:pid[:role]:random."""
    suffix = f":{role}" if role else ""
    return f"{socket.gethostname()}:{os.getpid()}{suffix}:{uuid.uuid4().hex[:6]}"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (what pg_try_advisory_lock takes)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _lock_engine(url: str) -> Engine:
    """An engine without a pool: closing a lock's connection really ends its session."""
    engine = _lock_engines.get(url)
    if engine is None:
        engine = _lock_engines[url] = make_engine(url, poolclass=NullPool)
    return engine


@dataclass
class LockInfo:
    """Who holds a lock, as its lease row says."""

    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime

    @property
    def live(self) -> bool:
        return self.expires_at > utcnow()


class DatabaseLock:
    """One named lock for one holder: `acquire()`, then `renew()` regularly, then `release()`."""

    def __init__(
        self, name: str, *, holder: str, lease_seconds: float | None = None, url: str | None = None
    ) -> None:
        self.name = name
        self.holder = holder
        self.lease = timedelta(
            seconds=lease_seconds if lease_seconds is not None else get_settings().schedule.lock_lease_seconds
        )
        self.url = normalise_url(url or get_settings().effective_database_url)
        self.advisory = not is_sqlite(self.url)
        self._connection: Connection | None = None
        self.held = False

    # -- public ------------------------------------------------------------------------

    def acquire(self) -> bool:
        """Take the lock if it is free (or its lease expired); never waits."""
        if self.held:
            return True
        if self.advisory:
            if not self._take_advisory():
                return False
            self._write_lease(force=True)
        elif not self._write_lease(force=False):
            return False
        self.held = True
        return True

    def renew(self) -> bool:
        """Extend the lease; False when the lock was lost (expired and taken, connection gone)."""
        if not self.held:
            return False
        try:
            if self.advisory:
                assert self._connection is not None
                self._connection.execute(text("SELECT 1"))  # the advisory lock's session is alive
                if not self._extend_lease():
                    self._write_lease(force=True)  # the row went (housekeeping, a hand): write it again
                return True
            kept = self._extend_lease()
        except SQLAlchemyError as exc:
            log.warning("lock %s: renewing failed: %s", self.name, exc)
            kept = False
        if not kept:
            self.held = False
            self._close()
        return kept

    def release(self) -> None:
        """Give the lock back (idempotent); the lease row goes, the advisory session ends."""
        was_held, self.held = self.held, False
        try:
            if was_held:
                with session_scope(self.url) as session:
                    session.execute(delete(Lock).where(Lock.name == self.name, Lock.holder == self.holder))
        except SQLAlchemyError as exc:
            log.warning("lock %s: could not delete its lease row: %s", self.name, exc)
        finally:
            self._close()

    def __enter__(self) -> DatabaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- internals -----------------------------------------------------------------------

    def _take_advisory(self) -> bool:
        connection = _lock_engine(self.url).connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": advisory_key(self.name)}
                ).scalar()
            )
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()  # NullPool: the server session ends, the advisory lock with it
            except SQLAlchemyError:
                pass

    def _extend_lease(self) -> bool:
        """Push our lease row's expiry on; `acquired_at` keeps the moment the lock was taken."""
        with session_scope(self.url) as session:
            result: Any = session.execute(
                update(Lock)
                .where(Lock.name == self.name, Lock.holder == self.holder)
                .values(expires_at=utcnow() + self.lease)
            )
            return bool(result.rowcount == 1)

    def _write_lease(self, *, force: bool) -> bool:
        """Claim the lease row; `force` when the advisory lock already decided who holds it."""
        now = utcnow()
        values = {"holder": self.holder, "acquired_at": now, "expires_at": now + self.lease}
        condition = Lock.name == self.name
        if not force:
            condition = condition & ((Lock.expires_at <= now) | (Lock.holder == self.holder))
        try:
            with session_scope(self.url) as session:
                result: Any = session.execute(update(Lock).where(condition).values(**values))
                if result.rowcount == 1:
                    return True
                exists = session.scalar(select(Lock.name).where(Lock.name == self.name))
                if exists is not None:
                    return False
                session.add(Lock(name=self.name, **values))
            return True
        except IntegrityError:
            return False  # another process inserted the row first
        except OperationalError as exc:
            if is_sqlite(self.url) and "locked" in str(exc):
                return False
            raise


def lock_info(name: str, url: str | None = None) -> LockInfo | None:
    """The lease row of a lock (possibly expired), or None."""
    with session_scope(url) as session:
        row = session.get(Lock, name)
        if row is None:
            return None
        return LockInfo(row.name, row.holder, row.acquired_at, row.expires_at)


def list_locks(prefix: str = "", url: str | None = None) -> list[LockInfo]:
    """Every lease row whose name starts with `prefix`."""
    with session_scope(url) as session:
        rows = session.scalars(select(Lock).where(Lock.name.startswith(prefix)).order_by(Lock.name))
        return [LockInfo(r.name, r.holder, r.acquired_at, r.expires_at) for r in rows]
