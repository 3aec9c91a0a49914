"""`summitwatch run` (what `make run` calls), `scheduler jobs|run-now` and `status`, as real processes."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digests.subscriptions import add_confirmed
from storage.db import session_scope
from storage.subscribers import add_subscriber
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
    rows = {row["id"]: row for row in json.loads(again.stdout)}
    assert rows["housekeeping:daily"]["last_status"] == "ok"
    assert "unconfirmed subscriptions expired" in rows["housekeeping:daily"]["last_result"]
    assert rows["crawl:anssi"]["last_status"] is None and rows["digest:weekly"]["next_run"]
    table = cli("scheduler", "jobs").stdout
    assert re.search(r"housekeeping:daily .*\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ .*ok: 0 unconfirmed", table), (
        table
    )

    unknown = cli("scheduler", "run-now", "crawl")
    assert unknown.code == 2 and "unknown job" in unknown.stderr

    with session_scope() as session:
        add_confirmed(session, "active@example.org")
        add_subscriber(session, "pending@example.org")
    status = cli("status")
    assert status.code == 0, status.output
    for part in (
        "Sources",
        "Pending reviews: 0 proposed status changes",
        "Silent for 12+ weeks",
        "Scheduler: not running",
        "Last digest: none sent yet",
        "Subscribers: pending 1, active 1, unsubscribed 0",
    ):
        assert part in status.stdout, status.stdout
    assert re.search(
        r"Next digest: Mon \d{4}-\d\d-\d\d 08:00 CES?T, week \d{4}-W\d\d, to 1 active", status.stdout
    )
    assert re.search(r"│ manual +│ — ", status.stdout), "a source added by hand is not 'never crawled'"
    overview = json.loads(cli("status", "--format", "json").stdout)
    assert overview["subscribers"] == {"pending": 1, "active": 1, "unsubscribed": 0}
    assert overview["pending_reviews"] == 0 and overview["scheduler"] is None
    assert [s["slug"] for s in overview["sources"]][:3] == ["anssi", "elysee", "cesia"]


def test_run_now_is_skipped_while_another_process_holds_the_job(
    db: str, cli: Callable[..., Any], tmp_path: Path
) -> None:
    probe = tmp_path / "probe.log"
    settings = {
        "SUMMITWATCH_SCHEDULE__PROBE_EVERY": "PT1H",
        # long enough for a second CLI to start on a loaded machine (at load 5 it took over 6 s)
        "SUMMITWATCH_SCHEDULE__PROBE_SECONDS": "15",
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
        assert holder.wait(30) == 0
    finally:
        holder.close()


@pytest.mark.slow
def test_demo_sets_up_offline_in_under_a_minute(
    env: dict[str, str], cli: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "demo"
    # Run from a folder whose ./summitwatch.toml names a mail relay (a closed port) and
    # another outbox, as a user's own set-up may: the demo must use neither.
    elsewhere = tmp_path / "my-outbox"
    (tmp_path / "summitwatch.toml").write_text(
        f'smtp_host = "127.0.0.1"\nsmtp_port = {free_port()}\noutbox_dir = "{elsewhere}"\n'
    )
    monkeypatch.chdir(tmp_path)
    done = cli(
        "demo", "--no-serve", "--data-dir", str(folder), timeout=120, extra_env={"SUMMITWATCH_SMTP_HOST": "x"}
    )
    assert done.code == 0, done.output
    # The demo reports its own set-up time; its speed is measured there, not asserted here.
    assert re.search(r"set-up took \d+ s", done.stdout), done.stdout
    for slug in ("anssi", "elysee", "cesia"):
        # The anssi mirror keeps one page that answers 500, so that a crawl error is seen too.
        assert re.search(
            rf"crawled {slug}: (ok|partial), health (ok|degraded) — \d+ pages, [1-9]\d* new", done.stdout
        ), done.stdout
    assert "matched:" in done.stdout
    outbox = folder / "outbox"
    assert f"written to {outbox}" in done.stdout
    digests = list(outbox.glob("*.eml"))
    assert len(digests) == 1, done.stdout
    assert (folder / "summitwatch.db").is_file()
    assert not (Path(env["SUMMITWATCH_DATA_DIR"]) / "summitwatch.db").exists(), "the user's data is untouched"
    assert not elsewhere.exists()
