"""Real `summitwatch` service processes for the scheduler tests, and a slow SMTP server.

`ServiceProcess` starts `python -m summitwatch ...` in its own process group with the
test's environment plus extra settings, writes its output to a file (a pipe could
fill up and block it) and waits for lines in it. `slow_smtp_server` is the recording
aiosmtpd server of `tests.support.smtp`, but each message is recorded first and only
acknowledged `delay` seconds later: a process killed in that window is exactly the
"accepted by the server, not yet committed" case.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.support.smtp import SMTPRecorder, _free_port, _Handler

__all__ = ["ServiceProcess", "slow_smtp_server"]


class ServiceProcess:
    """One `summitwatch` child process; stop it with `terminate()`, `interrupt()` or `kill()`."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.args = args
        self.log = log
        environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", **env}
        self._out = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "summitwatch", *args],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=os.getcwd(),
            start_new_session=True,
        )
        self.pid = self.process.pid

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float = 30.0, count: int = 1) -> str:
        """Wait until `pattern` (a regex) appears `count` times in the output; returns the output."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.output
            if len(re.findall(pattern, text)) >= count:
                return text
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.args} exited ({self.process.returncode}) before {pattern!r}:\n{text}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.args}: no {pattern!r} within {timeout} s:\n{text}")
            time.sleep(0.05)

    def _signal(self, sig: signal.Signals) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def interrupt(self) -> None:
        self._signal(signal.SIGINT)

    def kill(self) -> None:
        """SIGKILL the process and its group (crawl children live in their own sessions)."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def descendants(self) -> list[int]:
        """Pids of every process below this one (Linux /proc), e.g. crawl children in their own sessions."""
        found: list[int] = []
        todo = [self.pid]
        while todo:
            parent = todo.pop()
            for children in Path(f"/proc/{parent}/task").glob("*/children"):
                try:
                    pids = [int(p) for p in children.read_text().split()]
                except OSError:  # the task ended meanwhile
                    continue
                found += pids
                todo += pids
        return found

    def kill_tree(self) -> None:
        """SIGKILL the process and everything below it at once: the machine or container went down."""
        below = self.descendants()
        self.kill()
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float = 30.0) -> int:
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._out.close()

    def close(self) -> None:
        """Make sure nothing is left running (test teardown)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        self._out.close()


class _SlowHandler(_Handler):
    def __init__(self, box: SMTPRecorder, delay: float) -> None:
        super().__init__(box)
        self.delay = delay

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)  # recorded already: a client killed now cannot know
        return reply


@pytest.fixture
def slow_smtp_server() -> Iterator[SMTPRecorder]:
    """A recording SMTP server on 127.0.0.1 that answers each DATA 0.4 s after recording it."""
    port = _free_port()
    box = SMTPRecorder("127.0.0.1", port)
    controller = Controller(_SlowHandler(box, 0.4), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
