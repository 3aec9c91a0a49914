"""Benchmark: the weekly digest to 10,000 subscribers through a local SMTP server (aiosmtpd).

    .venv/bin/python bench/digest_send.py [--subscribers 10000]

SQLite in a temporary folder, the baseline loaded, a week with 40 evidence items,
subscribers with mixed languages and filters. Prints digests per second for
`send_digest` (build, render, sign links, claim/mark ledger rows, SMTP) and, as a
reference, plain smtplib sending one pre-rendered message the same number of
times over one connection; then the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import smtplib
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller


class Counter:
    """Accepts and counts; parses nothing, so the server costs as little as possible."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += len(envelope.rcpt_tos)
        self.bytes += len(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(n: int) -> None:
    from sqlalchemy import select

    from digests.subscriptions import add_confirmed
    from storage import migrate
    from storage.baseline import load
    from storage.db import get_engine, session_scope
    from storage.models import Commitment, Evidence
    from storage.publications import PublicationInput, upsert_publication
    from storage.subscribers import add_subscriber

    migrate.upgrade(get_engine())
    when = datetime(2025, 2, 12, 10, tzinfo=UTC)
    with session_scope() as session:
        load(session)
        commitments = list(session.scalars(select(Commitment).order_by(Commitment.id)))
        for i in range(40):
            c = commitments[i % len(commitments)]
            _, pub = upsert_publication(
                session,
                PublicationInput(
                    url=f"https://www.elysee.fr/bench/{i}",
                    source="elysee",
                    title=f"Publication {i} : {c.title_fr}",
                    body="texte " * 50,
                    published_at=when - timedelta(hours=i),
                ),
            )
            pub.first_seen_at = when
            session.add(
                Evidence(
                    commitment_id=c.id,
                    publication_id=pub.id,
                    score=0.8,
                    excerpt=f"{c.title_fr} : une avancée décrite dans cette publication. " * 3,
                    matched_terms=["avancée"],
                    created_at=when,
                )
            )
    themes = ["governance", "security", "safety", "public-interest", "investment", "sustainability"]
    with session_scope() as session:
        add_confirmed(session, "first@example.org")  # validates the public path once
        for i in range(1, n):
            filters: dict[str, list[str]] = {}
            if i % 3 == 1:
                filters["themes"] = [themes[i % len(themes)]]
            elif i % 7 == 2:
                filters["sources"] = ["elysee"]
            add_subscriber(
                session,
                f"reader{i}@example.org",
                language="en" if i % 4 == 0 else "fr",
                state="active",
                **filters,
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sw-bench-"))
    port = free_port()
    os.environ.update(
        {
            "SUMMITWATCH_DATA_DIR": str(work),
            "SUMMITWATCH_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
            "SUMMITWATCH_SMTP_HOST": "127.0.0.1",
            "SUMMITWATCH_SMTP_PORT": str(port),
            "SUMMITWATCH_BASE_URL": "https://summitwatch.example",
            "SUMMITWATCH_LOG_LEVEL": "WARNING",
        }
    )
    from digests.send import send_digest
    from summitwatch.config import reset_settings

    reset_settings()
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        t0 = time.perf_counter()
        seed(args.subscribers)
        print(f"seeded {args.subscribers} subscribers in {time.perf_counter() - t0:.1f}s ({work})")

        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 5 or done == total:
                last[0] = now
                print(f"  {done}/{total}", flush=True)

        t0 = time.perf_counter()
        report = send_digest("2025-W07", progress=progress)
        elapsed = time.perf_counter() - t0
        print(
            f"send_digest: {report.sent} sent, {report.skipped} skipped, {report.failed_retryable} failed "
            f"in {elapsed:.1f}s -> {report.sent / elapsed:.0f} digests/s "
            f"(server got {handler.count}, avg {handler.bytes / max(handler.count, 1) / 1024:.1f} KB)"
        )

        # Reference: the same number of one pre-rendered message through bare smtplib.
        from digests.build import Filters
        from digests.messages import build_message
        from digests.periods import week
        from digests.render import render_digest
        from digests.send import compose, load_week
        from storage.db import session_scope
        from summitwatch.config import get_settings

        settings = get_settings()
        period = week("2025-W07")
        with session_scope() as session:
            data = load_week(session, period, settings)
        view = compose(data, period, Filters(), "fr", settings)
        assert view is not None
        rendered = render_digest(view[0], "https://x/manage", "https://x/unsubscribe")
        message = build_message(rendered, "ref@example.org", settings)
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        count = report.sent or args.subscribers
        before = handler.count
        t0 = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as conn:
            for i in range(count):
                conn.sendmail("digest@summitwatch.localhost", [f"ref{i}@example.org"], raw)
        ref = time.perf_counter() - t0
        print(
            f"reference smtplib, one pre-rendered message x{count}: {ref:.1f}s -> {count / ref:.0f} messages/s "
            f"(server got {handler.count - before}); send_digest runs at {100 * ref / elapsed:.0f}% of that"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"peak RSS: {peak / 1024:.0f} MB")
        from bench.common import report as bench_report

        bench_report(
            f"digest delivery: digests per second ({report.sent:,} subscribers, aiosmtpd)",
            report.sent / elapsed,
            count / ref,
            "digests/s",
            target="≥ 0.6 × smtplib re-sending one message",
        )
        bench_report(
            "digest delivery: peak RSS", peak / 1024, None, "MB", target="< 300 MB", higher_is_better=False
        )
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
