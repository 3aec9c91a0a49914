"""Benchmark: alerts to a local json:// webhook, and what a pass costs when there is nothing new.

    .venv/bin/python bench/alerts_send.py [--setbacks 500]

SQLite in a temporary folder, the baseline loaded, one channel (a ThreadingHTTPServer
on 127.0.0.1 that counts posts), then `--setbacks` setback links. Prints alerts per
second for `send_alerts` (collect events, queue them, claim, render, post, mark: two
committed transactions per alert, so a crash never loses or repeats one) and, as a
reference, the same Apprise plugin posting one pre-rendered message that many times; then the time of a pass with nothing new over that ledger (what every match and
the 10-minute job pay), and of one with a single new setback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Counting(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Counting.lock:
            Counting.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def add_setbacks(start: int, n: int) -> None:
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import Commitment, Evidence
    from storage.publications import PublicationInput, upsert_publication

    when = datetime.now(UTC) - timedelta(days=1)
    with session_scope() as session:
        commitments = list(session.scalars(select(Commitment).order_by(Commitment.id)))
        for i in range(start, start + n):
            c = commitments[i % len(commitments)]
            _, pub = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://www.securite-ia.fr/bench/{i}",
                    source="cesia",
                    title=f"Publication {i} : {c.title_fr}",
                    body="texte " * 50,
                    published_at=when,
                ),
            )
            session.flush()
            session.add(
                Evidence(
                    commitment_id=c.id,
                    publication_id=pub.id,
                    score=0.8,
                    signal="setback",
                    excerpt=f"{c.title_fr} : aucun financement propre, toujours rien. " * 2,
                    matched_terms=["financement"],
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setbacks", type=int, default=500)
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"json://127.0.0.1:{server.server_address[1]}/hook"
    work = Path(tempfile.mkdtemp(prefix="sw-bench-alerts-"))
    os.environ.update(
        {
            "SUMMITWATCH_DATA_DIR": str(work),
            "SUMMITWATCH_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "SUMMITWATCH_ALERTS__URLS": f'["{url}"]',
            "SUMMITWATCH_ALERTS__MAX_PER_PASS": "100000",  # one pass sends them all: the figure is its rate
            "SUMMITWATCH_LOG_LEVEL": "WARNING",
        }
    )
    from bench.common import report
    from digests.alert_channels import post
    from digests.alerts import configured_channels, render_alert, send_alerts
    from storage import migrate
    from storage.baseline import load
    from storage.db import get_engine, session_scope
    from summitwatch.config import reset_settings

    reset_settings()
    migrate.upgrade(get_engine())
    with session_scope() as session:
        load(session)
    send_alerts()  # registers the channel: what follows is new to it
    add_setbacks(0, args.setbacks)

    t0 = time.perf_counter()
    result = send_alerts()
    elapsed = time.perf_counter() - t0
    print(
        f"send_alerts: {result.queued} queued, {result.sent} sent in {elapsed:.2f}s "
        f"-> {result.sent / elapsed:.0f} alerts/s (webhook got {Counting.count})"
    )

    channel = configured_channels()[0]
    title, text, html = render_alert(
        "test", {}, "fr", "https://summitwatch.example"
    )  # one pre-rendered message
    before = Counting.count
    t0 = time.perf_counter()
    for _ in range(args.setbacks):
        assert post(channel, title, text, html).ok
    ref = time.perf_counter() - t0
    print(
        f"reference: the Apprise plugin posting one message x{args.setbacks}: {ref:.2f}s -> "
        f"{args.setbacks / ref:.0f} posts/s (webhook got {Counting.count - before}); "
        f"send_alerts runs at {100 * ref / elapsed:.0f}% of that"
    )

    idle = []
    for _ in range(5):
        t0 = time.perf_counter()
        nothing = send_alerts()
        idle.append(time.perf_counter() - t0)
        assert nothing.sent == 0 and nothing.queued == 0
    idle_ms = 1000 * sorted(idle)[len(idle) // 2]
    print(f"a pass with nothing new over {args.setbacks} sent alerts: {idle_ms:.0f} ms (median of 5)")
    add_setbacks(args.setbacks, 1)
    t0 = time.perf_counter()
    one = send_alerts()
    one_ms = 1000 * (time.perf_counter() - t0)
    print(f"a pass with one new setback: {one_ms:.0f} ms ({one.sent} sent)")
    server.shutdown()

    report(
        f"alerts: alerts per second ({result.sent} setbacks, local json:// webhook)",
        result.sent / elapsed,
        args.setbacks / ref,
        "alerts/s",
        target="≥ 10 alerts/s (Apprise itself spaces chat posts 5.5 s apart)",
    )
    report(
        f"alerts: a pass with nothing new ({args.setbacks} in the ledger)",
        idle_ms,
        None,
        "ms",
        target="< 500 ms",
        higher_is_better=False,
    )


if __name__ == "__main__":
    main()
