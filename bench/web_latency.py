"""Web latency under load: p50 / p95 of four pages with 100,000 publications and their evidence.

For each backend (a SQLite file; a fresh PostgreSQL database on 127.0.0.1:5432, user
postgres, made and dropped here) the script loads the baseline, 100,000 publications and
one piece of evidence per publication, starts the app with uvicorn on 127.0.0.1 (one
worker, in a child process), then runs 20 concurrent clients for `--seconds` on each of:
the dashboard, a commitment page, a full-text search and /api/v1/evidence.

    .venv/bin/python bench/web_latency.py [--seconds 15] [--publications 100000] [--backend sqlite]

Figures are printed (and as BENCH lines for bench/run_all.py), never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import insert, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import report  # noqa: E402
from storage import migrate  # noqa: E402
from storage.baseline import load  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402
from storage.models import Commitment, Evidence, Publication, Source  # noqa: E402

PG_ADMIN = os.environ.get("SUMMITWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PAGES = {
    "dashboard": "/",
    "commitment": "/commitments/inesia",
    "search": "/publications?q=institut+sécurité",
    "api_evidence": "/api/v1/evidence",
}
WORDS = [
    "intelligence",
    "artificielle",
    "institut",
    "sécurité",
    "évaluation",
    "gouvernement",
    "sommet",
    "Paris",
    "engagement",
    "données",
    "calcul",
    "énergie",
    "investissement",
    "recherche",
    "modèle",
    "risque",
    "souveraineté",
    "coopération",
    "numérique",
    "cybersécurité",
    "rapport",
    "publication",
    "feuille",
    "de",
    "route",
    "financement",
    "partenaires",
    "INESIA",
    "ANSSI",
    "Inria",
    "Elysée",
    "CeSIA",
    "Europe",
    "Inde",
    "Canada",
    "déclaration",
    "durable",
    "inclusive",
]
BATCH = 5000


def fill(url: str, publications: int) -> None:
    """Schema, baseline, then publications and one evidence row each, inserted in batches."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(url) as session:
        load(session)
        sources = list(session.scalars(select(Source.id).where(Source.slug != "manual")))
        commitments = list(session.scalars(select(Commitment.id).order_by(Commitment.id)))
    rng = random.Random(7)
    start = datetime(2025, 2, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for first in range(0, publications, BATCH):
            rows = []
            for i in range(first, min(first + BATCH, publications)):
                when = start + timedelta(minutes=7 * i)
                body = " ".join(rng.choices(WORDS, k=120))
                rows.append(
                    {
                        "id": i + 1,
                        "source_id": sources[i % len(sources)],
                        "url": f"https://bench.example/{i}",
                        "title": f"Publication {i} : " + " ".join(rng.choices(WORDS, k=8)),
                        "published_at": when,
                        "language": "fr",
                        "summary": body[:200],
                        "body": body,
                        "content_hash": uuid.uuid4().hex,
                        "tags": [],
                        "first_seen_at": when,
                        "last_seen_at": when,
                        "changed_at": when,
                        "fetched_via": "import",
                        "extracted_by": "selectors",
                    }
                )
            connection.execute(insert(Publication), rows)
            connection.execute(
                insert(Evidence),
                [
                    {
                        "commitment_id": commitments[row["id"] % len(commitments)],
                        "publication_id": row["id"],
                        "score": 0.5,
                        "signal": ("mention", "progress", "achieved", "setback")[row["id"] % 4],
                        "excerpt": row["body"][:240],
                        "matched_terms": ["INESIA"],
                        "explanation": {},
                        "background": False,
                        "review_state": "unreviewed",
                        "created_at": row["published_at"],
                        "updated_at": row["published_at"],
                    }
                    for row in rows
                ],
            )
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "SUMMITWATCH_DATABASE_URL": url,
        "SUMMITWATCH_DATA_DIR": str(data_dir),
        "SUMMITWATCH_BASE_URL": f"http://127.0.0.1:{port}",
        "SUMMITWATCH_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the web app did not become ready")


async def hammer(base: str, path: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one_client() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def run_backend(name: str, url: str, data_dir: Path, publications: int, seconds: float, clients: int) -> None:
    started = time.perf_counter()
    fill(url, publications)
    print(
        f"[{name}] loaded {publications:,} publications + evidence in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    process, base = start_server(url, data_dir)
    try:
        for page, path in PAGES.items():
            httpx.get(base + path, timeout=60)  # warm caches once
            latencies, errors = asyncio.run(hammer(base, path, clients, seconds))
            p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
            print(
                f"[{name}] {page:13s} {path:40s} n={len(latencies):6d} errors={errors} "
                f"p50={p50:8.1f} ms p95={p95:8.1f} ms rps={len(latencies) / seconds:7.1f}",
                flush=True,
            )
            for figure, value in (("p50", p50), ("p95", p95)):
                report(
                    f"web {page} {figure} ({name}, {clients} clients)",
                    value,
                    None,
                    "ms",
                    higher_is_better=False,
                    backend=name,
                    requests=len(latencies),
                    errors=errors,
                )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # slow requests still in flight
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="load time per page and backend")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sw-bench-web-") as tmp:
        data_dir = Path(tmp)
        if args.backend in ("sqlite", "both"):
            url = f"sqlite:///{data_dir / 'bench.db'}"
            run_backend("sqlite", url, data_dir, args.publications, args.seconds, args.clients)
        if args.backend in ("postgresql", "both"):
            name = f"sw_bench_web_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = (
                    PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
                    + f"/{name}"
                )
                run_backend("postgresql", url, data_dir, args.publications, args.seconds, args.clients)
            finally:
                from storage.db import dispose_engines

                dispose_engines()
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
