"""How cost grows with the publications stored: search, the API and `match` at 10,000 and 100,000.

    .venv/bin/python bench/scaling.py [--sizes 10000,100000] [--publications 1000000]
                                      [--backend both] [--seconds 4] [--workers 2] [--match 2000]
                                      [--match-up-to 100000] [--data-dir DIR]

For each size and backend (a SQLite file; a fresh PostgreSQL database on 127.0.0.1:5432,
made and dropped here): the baseline and N publications with one piece of evidence each
(bench/web_latency.py's loader), the database size, then `summitwatch serve --workers W`
and 20 keep-alive clients on a search and on /api/v1/evidence for --seconds each
(p50, p95, requests per second, the server's peak RSS: the largest worker's), then
`summitwatch match` on the newest --match publications (`--since`) of the N: publications
per second and its peak RSS. `--publications 1000000` adds that size (about 20 minutes of
loading per backend: outside `make bench`'s budget).

`match` regroups the events of every piece of evidence after matching (issue 17's), which
took 2.5 GB at 100,000: above `--match-up-to` publications it is not run (no row), so a
1,000,000 run cannot exhaust a shared machine's memory.

`--data-dir DIR` keeps the loaded databases (DIR/sqlite-N/bench.db, PostgreSQL database
sw_bench_scale_N) and reuses one that already holds N publications: a long load is paid
once, and the pages can be measured again after a change to the code.

The reference column of each row is the same figure at the smallest size, so the ratio
says how much it grew. Figures are printed (and as BENCH lines for bench/run_all.py),
never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import report, service_env  # noqa: E402
from bench.web_latency import (  # noqa: E402
    PG_ADMIN,
    api_paths,
    fill,
    hammer,
    percentile,
    search_paths,
    start_server,
)
from storage import migrate  # noqa: E402
from storage.db import make_engine  # noqa: E402

PAGES = {"search": search_paths(), "api_evidence": api_paths()}  # the mixes of bench/web_latency.py
FILL_START = datetime(2025, 2, 1, tzinfo=UTC)  # bench/web_latency.py: publication i at +7 min × i


def database_mb(url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as connection:  # the write-ahead log folded in: the file alone
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    engine = make_engine(url)
    with engine.connect() as connection:
        size = connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
    engine.dispose()
    return float(size) / 1e6


def tree(pid: int) -> list[int]:
    found, todo = [pid], [pid]
    while todo:
        for children in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            try:
                pids = [int(p) for p in children.read_text().split()]
            except OSError:
                continue
            found += pids
            todo += pids
    return found


def peak_rss_mb(pids: list[int]) -> float:
    """The largest VmHWM (peak resident set) among these processes."""
    peak = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def web(name: str, size: int, url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, float]:
    process, base = start_server(url, data_dir, args.workers)
    figures: dict[str, float] = {}
    try:
        for page, paths in PAGES.items():
            for _ in range(2):  # warm each worker's caches and connections
                httpx.get(base + paths[0], timeout=60)
            latencies, errors = asyncio.run(hammer(base, paths, args.clients, args.seconds))
            p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
            rps = len(latencies) / args.seconds
            print(
                f"[{name} {size:,}] {page:13s} n={len(latencies):5d} errors={errors} "
                f"p50={p50:7.1f} ms p95={p95:7.1f} ms {rps:6.1f} req/s",
                flush=True,
            )
            figures |= {f"{page} p50": p50, f"{page} p95": p95, f"{page} req/s": rps}
        figures["web peak RSS"] = peak_rss_mb(tree(process.pid))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return figures


def match(url: str, data_dir: Path, size: int, count: int) -> dict[str, float]:
    """`summitwatch match --since` over the newest `count` publications: per second, peak RSS (MB)."""
    since = FILL_START + timedelta(minutes=7 * max(size - count, 0))
    command = [sys.executable, "-m", "summitwatch", "match", "--since", since.date().isoformat()]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=service_env(url, data_dir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        print(output[-2000:])
        return {}
    found = re.search(r"matched: (\d+) publications", output)
    matched = int(found.group(1)) if found else 0
    print(f"  match: {matched} publications in {seconds:.1f} s (whole command, start-up included)")
    return {"match pub/s": matched / seconds, "match peak RSS": usage.ru_maxrss / 1024}


def loaded_already(url: str, size: int) -> bool:
    """Whether this database holds the bench's `size` publications (a kept one, `--data-dir`)."""
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.exec_driver_sql("SELECT count(*) FROM publications").scalar_one()
    except Exception:  # no schema yet
        return False
    finally:
        engine.dispose()
    return int(count) == size


def measure(name: str, url: str, size: int, data_dir: Path, args: argparse.Namespace) -> dict[str, float]:
    started = time.perf_counter()
    if loaded_already(url, size):
        print(f"[{name} {size:,}] reusing the loaded database (migrated to the code's head)", flush=True)
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
    else:
        fill(url, size)
    loaded = time.perf_counter() - started
    figures = {"database MB": database_mb(url)}
    print(f"[{name} {size:,}] loaded in {loaded:.0f} s, database {figures['database MB']:.0f} MB", flush=True)
    figures |= web(name, size, url, data_dir, args)
    if size <= args.match_up_to:
        figures |= match(url, data_dir, size, args.match)
    else:
        print(f"[{name} {size:,}] match not run (above --match-up-to {args.match_up_to:,})", flush=True)
    print(f"[{name} {size:,}] " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()), flush=True)
    return figures


UNITS = {"p50": "ms", "p95": "ms", "req/s": "req/s", "MB": "MB", "RSS": "MB", "pub/s": "pub/s"}
LOWER_IS_BETTER = ("p50", "p95", "MB", "RSS")
TARGETS = {"search p95": "< 100 ms at 100,000", "api_evidence p95": "< 100 ms at 100,000"}


def rows(
    results: dict[tuple[str, int], dict[str, float]], name: str, size: int, smallest: int, workers: int
) -> None:
    """The BENCH rows of one size, printed as soon as it is measured (a long run keeps what it did)."""
    base = results.get((name, smallest), {})
    for key, value in results[name, size].items():
        unit = next(u for k, u in UNITS.items() if key.endswith(k))
        report(
            f"scaling {key} ({name}, {size:,} publications, {workers} workers)",
            value,
            base.get(key) if size != smallest else None,
            unit,
            target=TARGETS.get(key, f"reference: the same at {smallest:,}"),
            higher_is_better=not any(key.endswith(k) for k in LOWER_IS_BETTER),
            backend=name,
            publications=size,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--publications", type=int, default=None, help="one more size, e.g. 1000000")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--match", type=int, default=2000, help="publications `match` runs on, per size")
    parser.add_argument("--match-up-to", type=int, default=100_000, help="largest size `match` runs at")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep (and reuse) the loaded databases")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | ({args.publications} - {None}))
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="sw-bench-scale-") as tmp:
        root = args.data_dir or Path(tmp)
        for name in backends:
            for size in sizes:
                data_dir = root / f"{name}-{size}"
                data_dir.mkdir(parents=True, exist_ok=True)
                if name == "sqlite":
                    results[name, size] = measure(
                        name, f"sqlite:///{data_dir / 'bench.db'}", size, data_dir, args
                    )
                    rows(results, name, size, sizes[0], args.workers)
                    continue
                keep = args.data_dir is not None
                database = f"sw_bench_scale_{size}" if keep else f"sw_bench_scale_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    exists = conn.execute(
                        "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
                    ).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{database}"')
                url = (
                    PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
                    + f"/{database}"
                )
                try:
                    results[name, size] = measure(name, url, size, data_dir, args)
                    rows(results, name, size, sizes[0], args.workers)
                finally:
                    if not keep:
                        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
