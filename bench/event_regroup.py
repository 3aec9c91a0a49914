"""The regroup after a match: the whole store (before issue 17's window) against the window.

    .venv/bin/python bench/event_regroup.py [SIZE] [MINUTES_APART] [MATCH]

A SQLite store of SIZE publications with one piece of evidence each (bench/web_latency.py's
loader), one every MINUTES_APART minutes (60: 10,000 publications over 14 months, a busy
tracker's pace). Then, each as its own process with its peak RSS: `events regroup` (what
every `match` ran before: all the evidence grouped again; it also stores the members' terms)
and `match --since` on the newest MATCH publications, whose regroup reads only their window.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import report, service_env  # noqa: E402
from bench.scaling import FILL_START  # noqa: E402
from bench.web_latency import fill  # noqa: E402
from storage.db import make_engine  # noqa: E402

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
MINUTES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
MATCH = int(sys.argv[3]) if len(sys.argv) > 3 else 300


def run(command: list[str], url: str, data_dir: Path) -> tuple[str, float, float]:
    """Output, seconds and peak RSS (MB) of one summitwatch command."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "summitwatch", *command],
        cwd=REPO,
        env=service_env(url, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(output[-2000:])
    return output, time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        fill(url, SIZE)
        engine = make_engine(url)
        with engine.begin() as connection:  # spread the publications MINUTES apart
            connection.exec_driver_sql(
                "UPDATE publications SET published_at = datetime(?, '+' || ((id - 1) * ?) || ' minutes')",
                (FILL_START.strftime("%Y-%m-%d %H:%M:%S"), MINUTES),
            )
        engine.dispose()
        data_dir = Path(tmp) / "data"
        output, seconds, rss = run(["events", "regroup"], url, data_dir)
        print(output.strip().splitlines()[-1])
        report(f"events: full regroup, publications/s ({SIZE:,} stored)", SIZE / seconds, None, "pub/s")
        report(f"events: full regroup, peak RSS ({SIZE:,} stored)", rss, None, "MB", higher_is_better=False)
        since = FILL_START + timedelta(minutes=MINUTES * (SIZE - MATCH))
        output, seconds, rss = run(["match", "--since", since.date().isoformat()], url, data_dir)
        found = re.search(r"(\d+) publications in (\d+) events", output)
        print(output.strip().splitlines()[-1])
        read = int(found.group(1)) if found else 0
        report(
            f"events: match of the newest {MATCH} + window regroup, whole command ({SIZE:,} stored)",
            seconds,
            None,
            "s",
            f"window: {read:,} publications read",
            higher_is_better=False,
        )
        report(
            f"events: match + window regroup, peak RSS ({SIZE:,} stored)",
            rss,
            None,
            "MB",
            higher_is_better=False,
        )


if __name__ == "__main__":
    main()
