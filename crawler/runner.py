"""Run crawls, one child process per source: the API of the CLI and the scheduler.

A child that hangs is killed at the timeout and its crawl_runs row marked failed with
the reason; a child that crashes is marked failed with its last error line. One
broken source never stops the others.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from crawler.sources import load_sources
from storage.crawls import fail_run, get_run, start_run
from summitwatch.config import get_settings

Progress = Callable[[str, dict[str, object]], None]


@dataclass
class SourceResult:
    """How one source's crawl ended."""

    source: str
    status: str  # ok | partial | failed
    run_id: int | None
    requests: int = 0
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    errors: int = 0
    fallback_extractions: int = 0
    refused: int = 0
    outside_patterns: int = 0
    error_summary: str | None = None
    duration: float = 0.0
    message: str | None = None  # why it failed, or what went wrong (same as error_summary)
    health: str = "failing"  # ok | degraded | failing
    health_reasons: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.message is None:
            self.message = self.error_summary

    @property
    def ok(self) -> bool:
        return self.status != "failed" and self.health != "failing"

    def line(self) -> str:
        """The one-line summary the CLI prints; the health reasons follow, one per line (`lines`)."""
        text = (
            f"{self.source}: {self.status}, health {self.health} — {self.pages} pages, {self.new} new, "
            f"{self.updated} updated, {self.not_modified} not modified, {self.errors} errors, "
            f"{self.fallback_extractions} fallback"
        )
        if self.refused:
            text += f", {self.refused} refused"
        return text + f" ({self.duration:.1f} s)"

    def lines(self) -> list[str]:
        return [self.line(), *(f"  - {reason}" for reason in self.health_reasons)]


def _base_for(slug: str, base_url: str | Mapping[str, str] | None) -> str | None:
    if base_url is None or isinstance(base_url, str):
        return base_url
    return base_url.get(slug)


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _run_child(
    slug: str, run_id: int, base_url: str | None, full: bool, timeout: float, progress: Progress | None
) -> str | None:
    """Run one child to its end; returns why it failed, or None."""
    command = [sys.executable, "-m", "crawler.child", slug, "--run-id", str(run_id)]
    if base_url:
        command += ["--base-url", base_url]
    if full:
        command.append("--full")
    settings = get_settings()
    env = {**os.environ, "SUMMITWATCH_DATABASE_URL": settings.effective_database_url}
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, env=env, start_new_session=True
        )
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        buffer = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _kill(process)
                return f"timed out after {timeout:g} s: crawler process killed"
            if not selector.select(timeout=min(remaining, 1.0)):
                if process.poll() is not None:
                    break
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if progress is not None and isinstance(event, dict):
                    progress(slug, event)
        selector.close()
        try:
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill(process)
            return f"timed out after {timeout:g} s: crawler process killed"
        if code != 0:
            stderr.seek(0)
            tail = [line for line in stderr.read().decode("utf-8", "replace").splitlines() if line.strip()]
            return f"crawler process exited with code {code}: {tail[-1] if tail else 'no output'}"
    return None


def crawl(
    sources: list[str],
    *,
    base_url: str | Mapping[str, str] | None = None,
    base_urls: Mapping[str, str] | None = None,
    full: bool = False,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> list[SourceResult]:
    """Crawl each source in its own child process, one after the other.

    `base_url` sends the requests to a mirror (one URL for all, or one per slug);
    `base_urls` gives one mirror per slug and wins over `base_url`;
    `timeout` (default: settings.crawler.run_timeout) bounds each child.
    """
    configured = load_sources()
    limit = timeout if timeout is not None else get_settings().crawler.run_timeout
    results: list[SourceResult] = []
    for slug in sources or sorted(configured):
        started = time.monotonic()
        if slug not in configured:
            why = f"unknown source {slug!r}"
            results.append(
                SourceResult(slug, "failed", None, errors=1, error_summary=why, health_reasons=[why])
            )
            continue
        try:
            run_id = start_run(slug, mode="full" if full else "incremental")
        except KeyError:
            why = (
                f"source {slug!r} is configured in sources.toml but not in the database: add it to the "
                "baseline's sources (storage/baseline/sources.yaml) and run `summitwatch baseline load`"
            )
            results.append(
                SourceResult(slug, "failed", None, errors=1, error_summary=why, health_reasons=[why])
            )
            continue
        mirror = (base_urls or {}).get(slug) or _base_for(slug, base_url)
        reason = _run_child(slug, run_id, mirror, full, limit, progress)
        if reason is not None:
            fail_run(run_id, reason)
        run = get_run(run_id)
        if run["status"] == "running":  # the child ended without closing its run
            fail_run(run_id, "crawler process ended without closing its run")
            run = get_run(run_id)
        results.append(
            SourceResult(
                source=slug,
                status=run["status"],
                run_id=run_id,
                requests=run["requests"],
                pages=run["pages"],
                new=run["new"],
                updated=run["updated"],
                unchanged=run["unchanged"],
                not_modified=run["not_modified"],
                errors=run["errors"],
                fallback_extractions=run["fallback_extractions"],
                refused=run["refused"],
                outside_patterns=run["outside_patterns"],
                error_summary=run["error_summary"],
                duration=time.monotonic() - started,
                health=run["health"] or "failing",
                health_reasons=run["health_reasons"],
            )
        )
        if progress is not None:
            progress(slug, {"event": "finished", "status": run["status"]})
    return results
