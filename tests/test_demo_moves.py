"""After `summitwatch demo`, statuses have moved on evidence and the review page opens with the token.

The real command in a child process, serving the fixture mirrors on 127.0.0.1 (no internet).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from storage.dateprecision import local_day
from storage.db import dispose_engines, session_scope
from storage.models import Commitment, Evidence, StatusChange
from tests.support.webserver import free_port

TOKEN = "demo-review-token-for-the-test"


@pytest.mark.slow
def test_demo_moves_statuses_and_opens_review_with_the_token(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    port = free_port()
    environment = {**os.environ, "SUMMITWATCH_REVIEW_TOKEN": TOKEN, "NO_COLOR": "1", "COLUMNS": "200"}
    child = subprocess.Popen(
        [sys.executable, "-m", "summitwatch", "demo", "--data-dir", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    said: list[str] = []
    try:
        deadline = time.monotonic() + 150
        assert child.stdout is not None
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            said.append(line)
            if "digest written to the outbox" in line:  # the banner's last line, once it listens
                break
        out = "".join(said)
        assert "web app listening" in out, out
        # The user's token is kept (the demo drops every other SUMMITWATCH_* variable) and printed.
        assert f"review page: http://127.0.0.1:{port}/review (token: {TOKEN})" in out, out
        assert re.search(r"statuses: [1-9]\d* change\(s\) applied by the status rule", out), out
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(base + "/review").status_code == 401  # open, asking for the token
        review = httpx.get(base + "/review?lang=en", headers={"X-Review-Token": TOKEN})
        assert review.status_code == 200 and "Proposals to review" in review.text
        assert httpx.get(base + "/review", headers={"X-Review-Token": "wrong"}).status_code == 401
        dashboard = httpx.get(base + "/?lang=en").text
        assert "In progress" in dashboard and "since" in dashboard
    finally:
        child.terminate()
        child.wait(timeout=20)

    # Every commitment with accepted progress evidence shows a status dated by that evidence.
    url = f"sqlite:///{folder / 'summitwatch.db'}"
    with session_scope(url) as session:
        accepted = session.scalars(
            select(Evidence).where(
                Evidence.review_state == "accepted", Evidence.signal.in_(("progress", "achieved"))
            )
        ).all()
        assert accepted
        for evidence in accepted:
            commitment = session.get(Commitment, evidence.commitment_id)
            assert commitment is not None and commitment.status != "not_rated", commitment.slug
            change = session.scalar(select(StatusChange).where(StatusChange.evidence_id == evidence.id))
            assert change is not None and change.changed_by == "auto"
            published = evidence.publication.published_at
            assert published is not None and change.changed_at == published
            assert local_day(change.changed_at) < local_day(change.recorded_at)
    dispose_engines()
