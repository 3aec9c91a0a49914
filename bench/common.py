"""What every benchmark shares: peak memory, timing, and the result line `run_all` collects.

A script prints one `BENCH {json}` line per figure; `bench/run_all.py` gathers them
into `bench/results.md`. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory in MB of this process (or of its waited-for children)."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def without_settings() -> dict[str, str]:
    """This environment without its SUMMITWATCH_ variables: a child sees only the settings
    the bench gives it, not the shell's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SUMMITWATCH_")}


def service_env(url: str, data_dir: Path, port: int = 8000) -> dict[str, str]:
    """The settings a bench's `summitwatch` child runs with: its database, its data, quiet logs."""
    return {
        **without_settings(),
        "SUMMITWATCH_DATABASE_URL": url,
        "SUMMITWATCH_DATA_DIR": str(data_dir),
        "SUMMITWATCH_BASE_URL": f"http://127.0.0.1:{port}",
        "SUMMITWATCH_LOG_LEVEL": "WARNING",
    }


@contextmanager
def timer() -> Iterator[dict[str, float]]:
    box: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start


def report(
    figure: str,
    ours: float,
    reference: float | None,
    unit: str,
    target: str = "",
    higher_is_better: bool = True,
    **extra: Any,
) -> None:
    """Print a human line and the machine line for one figure."""
    ratio = None
    if reference:
        ratio = ours / reference if higher_is_better else reference / ours if ours else None
    line = {
        "figure": figure,
        "ours": round(ours, 3),
        "reference": None if reference is None else round(reference, 3),
        "ratio": None if ratio is None else round(ratio, 3),
        "unit": unit,
        "target": target,
        **extra,
    }
    ref_text = "" if reference is None else f" (reference {reference:,.2f}, ratio {line['ratio']})"
    print(f"{figure}: {ours:,.2f} {unit}{ref_text} {target}".rstrip(), flush=True)
    print("BENCH " + json.dumps(line, ensure_ascii=False), flush=True)
    sys.stdout.flush()
