"""`make bench`: run every bench script, collect its figures, write bench/results.md."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
LIMIT_SECONDS = 240
# Loading 100,000 publications into both backends alone takes two minutes or more.
LIMITS = {"scaling.py": 900}


def machine() -> str:
    cpus = os.cpu_count() or 0
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return f"{platform.machine()} {cpus} cores {memory}, Python {platform.python_version()}"


def run_script(script: Path) -> tuple[list[dict[str, object]], str]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=LIMITS.get(script.name, LIMIT_SECONDS),
            cwd=BENCH.parent,
        )
    except subprocess.TimeoutExpired:
        return [], f"timed out after {LIMITS.get(script.name, LIMIT_SECONDS)} s"
    elapsed = time.perf_counter() - started
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
    rows = [json.loads(line[6:]) for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    status = (
        f"{elapsed:.0f} s"
        if done.returncode == 0
        else f"failed (exit {done.returncode}) after {elapsed:.0f} s"
    )
    return rows, status


def cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def named(figure: str, unit: str) -> str:
    """The figure with its unit, unless it has none or already says it."""
    return figure if not unit or figure.endswith(f"({unit})") else f"{figure} ({unit})"


def main() -> int:
    scripts = sorted(
        p
        for p in BENCH.glob("*.py")
        if p.name not in {"run_all.py", "common.py", "__init__.py", "bare_spider.py"}
    )
    host = machine()
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {today}; machine: {host}.",
        "",
        "| figure | ours | reference | ratio | target | machine | date |",
        "|---|---|---|---|---|---|---|",
    ]
    failures = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        rows, status = run_script(script)
        print(f"== {script.name}: {status}", flush=True)
        if not rows:
            failures.append(f"- `{script.name}`: no figure ({status})")
        for row in rows:
            lines.append(
                f"| {named(row['figure'], row['unit'])} | {cell(row['ours'])} | {cell(row.get('reference'))} | "
                f"{cell(row.get('ratio'))} | {row.get('target') or '—'} | {host} | {today} |"
            )
    if failures:
        lines += ["", "Scripts that printed no figure:", *failures]
    (BENCH / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {BENCH / 'results.md'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
