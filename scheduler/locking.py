"""Holding a database lock while work runs: a renewal thread keeps the lease alive.

`held(name)` is what a job wraps itself in; `LockHeld` says who has it instead, so
the caller can skip and log. The scheduler's own leadership uses `Renewed` directly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from storage.locks import DatabaseLock, lock_info
from summitwatch.config import get_settings

log = logging.getLogger(__name__)

LEADER_LOCK = "scheduler:leader"


class LockHeld(Exception):
    """The lock belongs to someone else right now."""

    def __init__(self, name: str, holder: str | None) -> None:
        self.name = name
        self.holder = holder
        super().__init__(f"lock {name} held by {holder or 'another process'}")


class Renewed:
    """A DatabaseLock plus a daemon thread renewing it every third of its lease."""

    def __init__(self, name: str, holder: str, lease_seconds: float | None = None) -> None:
        lease = lease_seconds if lease_seconds is not None else get_settings().schedule.lock_lease_seconds
        self.lock = DatabaseLock(name, holder=holder, lease_seconds=lease)
        self.interval = max(0.5, lease / 3)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def name(self) -> str:
        return self.lock.name

    def acquire(self) -> bool:
        if not self.lock.acquire():
            return False
        self.lost.clear()
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, name=f"renew {self.name}", daemon=True)
        self._thread.start()
        return True

    def _renew(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.lock.renew():
                log.error("lock %s lost (lease expired or database connection gone)", self.name)
                self.lost.set()
                return

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None
        self.lock.release()


@contextmanager
def held(
    name: str, holder: str, *, wait: float = 0.0, lease_seconds: float | None = None
) -> Iterator[Renewed]:
    """Hold lock `name` for the block; waits up to `wait` seconds, else raises LockHeld."""
    lock = Renewed(name, holder, lease_seconds)
    deadline = time.monotonic() + wait
    while not lock.acquire():
        if time.monotonic() >= deadline:
            info = lock_info(name)
            raise LockHeld(name, info.holder if info is not None else None)
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
    try:
        yield lock
    finally:
        lock.release()
