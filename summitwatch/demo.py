"""`summitwatch demo`: the whole pipeline on one machine, offline, in a throwaway folder.

It serves the fixture mirrors of the three sites (tests/sites/, so the demo needs a
source checkout) on loopback, crawls them, matches, writes the current week's digest
for a demo subscriber to the outbox, and leaves a SQLite database the web app can
show. Nothing touches the user's own data directory or the internet.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests" / "sites"
SITE_SERVER = REPO / "tests" / "support" / "sites.py"
SOURCES = ("anssi", "elysee", "cesia")
DEMO_SUBSCRIBER = "demo@example.org"
# Proposals scoring this or more apply by `auto`, oldest publication first (as `tracker.auto_apply_above
# = 0.9` would); the rest wait for a reviewer on /review.
DEMO_AUTO_APPLY_ABOVE = 0.9

# Politeness scaled down for a server on loopback; the real defaults stay polite.
FAST_CRAWL = {
    "SUMMITWATCH_CRAWLER__DOWNLOAD_DELAY": "0",
    "SUMMITWATCH_CRAWLER__AUTOTHROTTLE": "false",
    "SUMMITWATCH_CRAWLER__RETRY_TIMES": "1",
    "SUMMITWATCH_CRAWLER__DOWNLOAD_TIMEOUT": "5",
    "SUMMITWATCH_CRAWLER__CONCURRENCY_PER_DOMAIN": "4",
    "SUMMITWATCH_CRAWLER__RUN_TIMEOUT": "120",
}


class DemoError(Exception):
    """The demo cannot run here; the message says why."""


@dataclass
class Prepared:
    """What the set-up produced, for the banner printed once the web app listens."""

    data_dir: Path
    digest_files: list[Path] = field(default_factory=list)
    publications: int = 0
    evidence: str = ""
    statuses: str = ""
    review_url: str = ""
    review_token: str = ""
    seconds: float = 0.0

    def banner(self) -> list[str]:
        lines = [
            f"demo data (throwaway): {self.data_dir}",
            f"set-up took {self.seconds:.0f} s: {self.publications} publications crawled from the local mirrors",
        ]
        if self.evidence:
            lines.append(self.evidence)
        if self.statuses:
            lines.append(self.statuses)
        if self.review_url:
            lines.append(f"review page: {self.review_url} (token: {self.review_token})")
        lines += [f"digest written to the outbox: {path}" for path in self.digest_files]
        return lines

    def close(self) -> None:
        """Nothing runs after set-up; the folder stays so it can be looked at (it is in the temp dir)."""


def _site_server() -> ModuleType:
    """The fixture-site server of the test suite (standard library only), loaded from the checkout."""
    if not SITES.is_dir() or not SITE_SERVER.is_file():
        raise DemoError(
            f"the demo serves the fixture mirrors in {SITES}: run it from a source checkout of summitwatch"
        )
    spec = importlib.util.spec_from_file_location("summitwatch_demo_sites", SITE_SERVER)
    if spec is None or spec.loader is None:
        raise DemoError(f"cannot load {SITE_SERVER}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def _environment(data_dir: Path, port: int) -> str:
    """Point this process (and the crawl children, which inherit it) at the throwaway folder.

    The user's own settings stay out: their SUMMITWATCH_* variables are dropped, and an
    empty config file of the demo's own stands in for ./summitwatch.toml (which could name
    a real SMTP relay). Mail goes to the demo's outbox only. The review token is the one
    exception: the user's `SUMMITWATCH_REVIEW_TOKEN` is kept (else one is made up), so the
    review page opens; it is returned to be printed.
    """
    token = os.environ.get("SUMMITWATCH_REVIEW_TOKEN", "").strip() or secrets.token_urlsafe(16)
    for key in list(os.environ):
        if key.startswith("SUMMITWATCH_"):
            del os.environ[key]
    config = data_dir / "summitwatch.toml"
    config.write_text("# the demo's settings: defaults, plus the SUMMITWATCH_* variables it sets\n")
    os.environ.update(
        {
            "SUMMITWATCH_CONFIG": str(config),
            "SUMMITWATCH_DATA_DIR": str(data_dir),
            "SUMMITWATCH_DATABASE_URL": f"sqlite:///{data_dir / 'summitwatch.db'}",
            "SUMMITWATCH_SMTP_HOST": "",
            "SUMMITWATCH_OUTBOX_DIR": str(data_dir / "outbox"),
            "SUMMITWATCH_BASE_URL": f"http://127.0.0.1:{port}",
            "SUMMITWATCH_REVIEW_TOKEN": token,
            **FAST_CRAWL,
        }
    )
    return token


def prepare(data_dir: str | None, *, port: int = 8000, say: Callable[[str], None] = print) -> Prepared:
    """Set everything up; returns where things are. Raises DemoError when it cannot run."""
    from summitwatch.config import get_settings, reset_settings

    started = time.monotonic()
    server = _site_server()
    folder = Path(data_dir).resolve() if data_dir else Path(tempfile.mkdtemp(prefix="summitwatch-demo-"))
    if folder.exists() and any(folder.iterdir()) and data_dir:
        raise DemoError(f"{folder} is not empty: give a new folder (the demo never reuses data)")
    folder.mkdir(parents=True, exist_ok=True)
    token = _environment(folder, port)
    reset_settings()
    say(f"demo: throwaway data in {folder}")

    from crawler.runner import crawl
    from digests.periods import PARIS, week_of
    from digests.send import send_digest
    from digests.subscriptions import add_confirmed
    from storage import migrate
    from storage.baseline import load
    from storage.db import dispose_engines, get_engine, session_scope

    dispose_engines()
    migrate.upgrade(get_engine())
    with session_scope() as session:
        load(session)
    say("demo: database created, baseline of summit commitments loaded")

    sites = {name: server.FixtureSite(SITES / name).start() for name in SOURCES}
    try:
        say("demo: serving local mirrors " + ", ".join(f"{n} {s.base_url}" for n, s in sites.items()))
        results = crawl(list(SOURCES), base_urls={n: s.base_url for n, s in sites.items()})
    finally:
        for site in sites.values():
            site.stop()
    for result in results:
        say(f"demo: crawled {result.line()}")
    prepared = Prepared(data_dir=folder, publications=sum(r.new + r.updated for r in results))

    evidence = _match(say)
    prepared.evidence = evidence
    prepared.statuses = _apply_confident(say)
    prepared.review_url, prepared.review_token = f"{get_settings().base_url}/review", token

    with session_scope() as session:
        add_confirmed(session, DEMO_SUBSCRIBER, language="fr")
    outbox = get_settings().effective_outbox_dir
    before = set(outbox.glob("*.eml")) if outbox.is_dir() else set()
    period = week_of(datetime.now(PARIS).date()).key
    report = send_digest(period)
    prepared.digest_files = sorted(set(outbox.glob("*.eml")) - before) if outbox.is_dir() else []
    say(f"demo: digest {period} for {DEMO_SUBSCRIBER}: {report.sent} written to {outbox}")
    prepared.seconds = time.monotonic() - started
    return prepared


def _match(say: Callable[[str], None]) -> str:
    """Run the tracker on what was crawled; a short line on what it found."""
    from tracker.pipeline import match_pending

    report: Any = match_pending()
    line = report.line() if callable(getattr(report, "line", None)) else str(report)
    say(f"demo: matched: {line}")
    return f"matching: {line}"


def _apply_confident(say: Callable[[str], None]) -> str:
    """Apply the confident proposals, oldest publication first, by `auto`: statuses move on evidence.

    The others stay open on the review page, so the demo shows both: statuses dated by the
    evidence that moved them, and proposals waiting for a reviewer.
    """
    from storage.db import session_scope
    from storage.evidence import count_open_proposals
    from tracker.workflow import AUTO, apply_all

    with session_scope() as session:
        changes = apply_all(session, AUTO, min_score=DEMO_AUTO_APPLY_ABOVE)
        waiting = count_open_proposals(session)
        moved = len({c.commitment_id for c in changes})
    line = (
        f"statuses: {len(changes)} change(s) applied by the status rule on {moved} commitment(s); "
        f"{waiting} proposal(s) wait for review"
    )
    say(f"demo: {line}")
    return line
