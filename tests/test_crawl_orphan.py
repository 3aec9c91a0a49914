"""A crawl child whose parent is killed stops by itself instead of crawling on unwatched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.sites import FixtureSite

pytestmark = pytest.mark.slow

PARENT = """
import subprocess, sys
child = subprocess.Popen(
    [sys.executable, "-m", "crawler.child", "anssi", "--base-url", sys.argv[1]],
    stdout=subprocess.DEVNULL, stderr=open(sys.argv[2], "w"), start_new_session=True,
)
print(child.pid, flush=True)
child.wait()
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose; its parent (init) reaps it.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_crawl_child_stops_when_its_parent_is_killed(db: str, anssi_site: FixtureSite, tmp_path) -> None:
    anssi_site.fail_all(status=503, delay=30.0)  # every answer hangs: the crawl would run on for minutes
    log = tmp_path / "child.log"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, anssi_site.base_url, str(log)], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(5)  # let it import Scrapy and send its first (hanging) requests
    assert alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 60
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    still = alive(child)
    if still:
        os.kill(child, signal.SIGKILL)
    assert not still, "the orphaned crawl child kept running"
    assert "parent process gone" in log.read_text()
