"""`summitwatch run` (what `make run` calls), `scheduler jobs|run-now` and `status`, as real processes."""

from __future__ import annotations

import re
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.support.scheduler import ServiceProcess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_run_on_a_fresh_data_dir_serves_schedules_and_stops_on_ctrl_c(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A fresh clone: no database yet. `run` migrates, loads the baseline, serves, schedules."""
    port = free_port()
    service = ServiceProcess(["run", "--port", str(port)], tmp_path / "run.log", {})
    try:
        out = service.wait_for(rf"web app listening on http://127\.0\.0\.1:{port}/", timeout=60)
        out = service.wait_for(r"digest:weekly\s+next \S+", timeout=20)
        assert "baseline loaded" in out
        assert "mail: written to the outbox" in out
        for job in ("crawl:anssi", "crawl:elysee", "crawl:cesia", "digest:weekly", "housekeeping:daily"):
            assert re.search(rf"{re.escape(job)}\s+next \d{{4}}-\d\d-\d\dT", out), out
        assert "mon 08:00 Europe/Paris" in out
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200
        service.interrupt()  # Ctrl-C
        assert service.wait(20) == 0
        out = service.output
        assert "stopping after the current job step" in out
        assert out.rstrip().endswith("stopped"), out[-500:]
        assert "Traceback" not in out
    finally:
        service.close()
    assert (Path(env["SUMMITWATCH_DATA_DIR"]) / "summitwatch.db").is_file()


def test_make_run_calls_summitwatch_run() -> None:
    makefile = (REPO / "Makefile").read_text()
    target = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert target is not None and "summitwatch run" in target.group(1)


def test_scheduler_jobs_run_now_and_status(db: str, cli: Callable[..., Any]) -> None:
    listed = cli("scheduler", "jobs")
    assert listed.code == 0, listed.output
    for job in ("crawl:anssi", "crawl:cesia", "crawl:elysee", "digest:weekly", "housekeeping:daily"):
        assert job in listed.stdout
    assert "no scheduler is running" in listed.stdout

    done = cli("scheduler", "run-now", "housekeeping:daily")
    assert done.code == 0, done.output
    assert "housekeeping:daily: ok" in done.stdout

    again = cli("scheduler", "jobs", "--format", "json")
    assert again.code == 0, again.output
    assert '"last_status": "ok"' in again.stdout

    unknown = cli("scheduler", "run-now", "crawl")
    assert unknown.code == 2 and "unknown job" in unknown.stderr

    status = cli("status")
    assert status.code == 0, status.output
    for part in ("Sources", "Pending reviews", "Silent for 12+ weeks", "Next digest", "Subscribers"):
        assert part in status.stdout, status.stdout


@pytest.mark.parametrize("backend", ["sqlite"])
def test_run_now_is_skipped_while_another_process_holds_the_job(
    db: str, cli: Callable[..., Any], tmp_path: Path
) -> None:
    probe = tmp_path / "probe.log"
    settings = {
        "SUMMITWATCH_SCHEDULE__PROBE_EVERY": "PT1H",
        "SUMMITWATCH_SCHEDULE__PROBE_SECONDS": "6",
        "SUMMITWATCH_SCHEDULE__PROBE_FILE": str(probe),
    }
    holder = ServiceProcess(["scheduler", "run-now", "probe"], tmp_path / "holder.log", settings)
    try:
        deadline = time.monotonic() + 20
        while not (probe.exists() and "start" in probe.read_text()):
            assert time.monotonic() < deadline, holder.output
            time.sleep(0.05)
        skipped = cli("scheduler", "run-now", "probe", extra_env=settings)
        assert skipped.code == 3, skipped.output
        assert "skipped" in skipped.stdout and "held by" in skipped.stdout
        assert holder.wait(20) == 0
    finally:
        holder.close()


@pytest.mark.slow
def test_demo_sets_up_offline_in_under_a_minute(
    env: dict[str, str], cli: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "demo"
    done = cli("demo", "--no-serve", "--data-dir", str(folder), timeout=120)
    assert done.code == 0, done.output
    # The demo reports its own set-up time; its speed is measured there, not asserted here.
    assert re.search(r"set-up took \d+ s", done.stdout), done.stdout
    for slug in ("anssi", "elysee", "cesia"):
        # The anssi mirror keeps one page that answers 500, so that a crawl error is seen too.
        assert re.search(rf"crawled {slug}: (ok|partial) — \d+ pages, [1-9]\d* new", done.stdout), done.stdout
    assert "matched:" in done.stdout
    outbox = folder / "outbox"
    assert f"written to {outbox}" in done.stdout
    digests = list(outbox.glob("*.eml"))
    assert len(digests) == 1, done.stdout
    assert (folder / "summitwatch.db").is_file()
    assert not (Path(env["SUMMITWATCH_DATA_DIR"]) / "summitwatch.db").exists(), "the user's data is untouched"
