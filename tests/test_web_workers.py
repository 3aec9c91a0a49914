"""`serve --workers N` and `run --workers N`: uvicorn worker processes behind one socket, as real processes."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.scheduler import ServiceProcess
from tests.test_service_run import free_port


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.read()


def running(pids: list[int], grace: float = 5.0) -> list[int]:
    """Those of `pids` still running (not exited, not a zombie waiting for its reaper) after `grace` s."""
    deadline = time.monotonic() + grace
    while True:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state not in ("Z", "X"):
                alive.append(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def test_serve_with_two_workers_serves_and_stops_them(db: str, tmp_path: Path) -> None:
    port = free_port()
    service = ServiceProcess(["serve", "--port", str(port), "--workers", "2"], tmp_path / "serve.log", {})
    try:
        service.wait_for(r"Application startup complete", timeout=90, count=2)
        workers = service.descendants()
        assert len(workers) >= 2, service.output
        for _ in range(20):
            status, body = get(f"http://127.0.0.1:{port}/api/v1/commitments")
            assert status == 200 and json.loads(body)
        # the parent made the link-signing key before the workers started: they share it
        key = Path(os.environ["SUMMITWATCH_DATA_DIR"]) / "secret_key"
        assert key.is_file() and key.read_text().strip()
        os.kill(service.pid, signal.SIGTERM)
        assert service.wait(30) == 0, service.output
        assert "Traceback" not in service.output
        assert not running(workers), "workers left running"
    finally:
        service.close()


def test_serve_with_workers_on_a_port_in_use_fails_once(db: str, tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = ServiceProcess(["serve", "--port", str(port), "--workers", "2"], tmp_path / "busy.log", {})
        try:
            assert service.wait(60) == 3, service.output
            assert "Application startup complete" not in service.output
        finally:
            service.close()


@pytest.mark.slow
def test_run_with_workers_serves_schedules_and_stops_on_ctrl_c(env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    service = ServiceProcess(
        ["run", "--port", str(port)], tmp_path / "run.log", {"SUMMITWATCH_WEB__WORKERS": "2"}
    )
    try:
        out = service.wait_for(rf"web app listening on http://127\.0\.0\.1:{port}/, 2 workers", timeout=90)
        service.wait_for(r"digest:weekly\s+next \S+", timeout=30)
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        service.interrupt()
        assert service.wait(30) == 0, service.output
        out = service.output
        assert out.rstrip().endswith("stopped"), out[-500:]
        assert "Traceback" not in out
    finally:
        service.close()
