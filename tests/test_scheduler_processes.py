"""Real scheduler processes on one database: leadership, takeover, kills, and the whole pipeline.

Every process is `python -m summitwatch scheduler start` with short schedules set
through SUMMITWATCH_SCHEDULE__* (the `probe` job is a settings-enabled test hook that
appends its start and end to a file). Processes are stopped by their pid only.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.runner import crawl
from digests.subscriptions import add_confirmed
from storage import jobruns
from storage.db import session_scope
from storage.models import CrawlRun, Delivery, Subscriber
from storage.queries import list_sources
from summitwatch.config import reset_settings
from tests.support.scheduler import ServiceProcess
from tests.support.sites import FixtureSite
from tests.support.smtp import SMTPRecorder
from tracker.pipeline import match_pending

pytestmark = pytest.mark.slow

Start = Callable[..., ServiceProcess]


@pytest.fixture
def start(db: str, tmp_path: Path) -> Iterator[Start]:
    """Start `summitwatch scheduler start` processes; all are killed at teardown if still alive."""
    started: list[ServiceProcess] = []

    def run(name: str, **settings: str) -> ServiceProcess:
        env = {
            "SUMMITWATCH_SCHEDULE__LOCK_LEASE_SECONDS": "3",
            "SUMMITWATCH_SCHEDULE__STANDBY_POLL_SECONDS": "0.3",
            "SUMMITWATCH_LOG_LEVEL": "INFO",
            **{f"SUMMITWATCH_{k.upper()}": v for k, v in settings.items()},
        }
        process = ServiceProcess(["scheduler", "start"], tmp_path / f"{name}.log", env)
        started.append(process)
        return process

    yield run
    for process in started:
        process.close()


def probe_records(path: Path) -> list[tuple[str, int, float]]:
    records = []
    for line in path.read_text().splitlines():
        kind, where, stamp = line.split()
        records.append((kind, int(where.rsplit(":", 1)[1]), float(stamp)))
    return records


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def ends_by(path: Path, pid: int) -> int:
    return (
        sum(1 for kind, who, _ in probe_records(path) if kind == "end" and who == pid) if path.exists() else 0
    )


def test_two_schedulers_never_overlap_and_lose_no_run(start: Start, db: str, tmp_path: Path) -> None:
    probe = tmp_path / "probe.log"
    settings = {
        "schedule__only": '["probe"]',
        "schedule__probe_every": "PT1S",
        "schedule__probe_seconds": "0.4",
        "schedule__probe_file": str(probe),
    }
    a = start("a", **settings)
    a.wait_for(r"leads; jobs:")
    wait_until(lambda: ends_by(probe, a.pid) >= 2, 15, "two probe runs by the first scheduler")

    b = start("b", **settings)
    b.wait_for(r"standby: .* is the scheduler")
    wait_until(lambda: ends_by(probe, a.pid) >= 4, 10, "more runs while the second waits")
    assert "leads" not in b.output and ends_by(probe, b.pid) == 0

    a.terminate()  # finishes the probe in flight, then hands over
    assert a.wait(15) == 0
    b.wait_for(r"leads; jobs:", timeout=15)
    wait_until(lambda: ends_by(probe, b.pid) >= 2, 15, "runs by the standby that took over")

    a2 = start("a2", **settings)
    a2.wait_for(r"standby: ")
    time.sleep(0.5)
    b.kill()  # SIGKILL, quite possibly mid-run
    a2.wait_for(r"leads; jobs:", timeout=20)
    wait_until(lambda: ends_by(probe, a2.pid) >= 3, 20, "runs after the SIGKILL takeover")
    a2.terminate()
    assert a2.wait(15) == 0

    records = probe_records(probe)
    # Never overlapping: in the append-only log every start is followed by its own end,
    # except at most one start cut short by the SIGKILL.
    runs: list[tuple[int, float, float | None]] = []
    for kind, pid, stamp in records:
        if kind == "start":
            assert not runs or runs[-1][2] is not None or runs[-1][0] == b.pid, f"overlap: {records}"
            runs.append((pid, stamp, None))
        else:
            assert runs and runs[-1][0] == pid and runs[-1][2] is None, f"end without its start: {records}"
            runs[-1] = (pid, runs[-1][1], stamp)
    cut = [r for r in runs if r[2] is None]
    assert len(cut) <= 1 and all(pid == b.pid for pid, _, _ in cut)
    assert {pid for pid, _, _ in runs} == {a.pid, b.pid, a2.pid}

    # None lost: under each leader the probe ran on every tick (1 s; coalescing never
    # needed), and the ledger holds every run the log shows, the cut one as interrupted.
    for pid in (a.pid, b.pid, a2.pid):
        starts = [s for p, s, _ in runs if p == pid]
        gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
        assert gaps and max(gaps) < 1.6, f"a tick was lost under {pid}: {gaps}"
    ledger = [r for r in jobruns.runs("probe") if r["status"] != "skipped"]
    assert len(ledger) == len(runs)
    # The SIGKILL may also land after the probe logged its end and before the ledger marked it
    # ok: that run reads interrupted too. Never more than the one run the kill could cut.
    statuses = Counter(r["status"] for r in ledger)
    assert len(cut) <= statuses["interrupted"] <= 1, statuses
    assert statuses == Counter(
        {"ok": len(runs) - statuses["interrupted"], "interrupted": statuses["interrupted"]}
    )
    assert "stopping after the current job step" in a.output and "scheduler stopped" in a.output


def add_subscribers(count: int) -> list[str]:
    emails = [f"reader{i:02d}@example.org" for i in range(count)]
    with session_scope() as session:
        for email in emails:
            add_confirmed(session, email)
    return emails


def ledger() -> list[tuple[str, str]]:
    with session_scope() as session:
        rows = session.execute(select(Subscriber.email, Delivery.state).join(Delivery.subscriber)).tuples()
        return sorted((email, state) for email, state in rows)


def test_sigterm_then_sigkill_during_a_digest_send_still_delivers_exactly_once(
    start: Start, slow_smtp_server: SMTPRecorder
) -> None:
    emails = add_subscribers(10)
    settings = {
        "schedule__only": '["digest:"]',
        "schedule__digest_every": "PT1S",
        "smtp_host": slow_smtp_server.host,
        "smtp_port": str(slow_smtp_server.port),
    }
    first = start("first", **settings)
    slow_smtp_server.wait(2, timeout=20)
    first.terminate()  # stops after the delivery in flight: the rest stays queued
    assert first.wait(15) == 0
    after_term = len(slow_smtp_server.messages)
    assert after_term < len(emails)
    assert "stopped after" in first.output

    second = start("second", **settings)
    slow_smtp_server.wait(after_term + 3, timeout=20)
    second.kill()  # SIGKILL in the middle of the send
    assert len(slow_smtp_server.messages) < len(emails)

    third = start("third", **settings)
    wait_until(
        lambda: len(slow_smtp_server.messages) >= len(emails) and all(s != "pending" for _, s in ledger()),
        30,
        "the restarted scheduler to finish the send",
    )
    time.sleep(2.5)  # more digest runs come and go: nothing may be sent twice
    third.terminate()
    assert third.wait(15) == 0

    received = Counter(slow_smtp_server.recipients())
    assert received == Counter(emails), f"each subscriber exactly once: {received}"
    rows = ledger()
    assert [email for email, _ in rows] == emails, "exactly one ledger row per subscriber"
    states = Counter(state for _, state in rows)
    assert set(states) <= {"sent", "sending"} and states["sending"] <= 1, rows
    statuses = {r["status"] for r in jobruns.runs("digest:weekly")}
    # The killed send left at most one row `sending`: later runs say it needs a person.
    assert "interrupted" in statuses and statuses & {"ok", "attention"}


FAST_CRAWL = {
    "crawler__download_delay": "0",
    "crawler__autothrottle": "false",
    "crawler__retry_times": "1",
    "crawler__download_timeout": "5",
    "crawler__run_timeout": "90",
}


def publications_of(slug: str) -> int:
    with session_scope() as session:
        return next(s["publications"] for s in list_sources(session) if s["slug"] == slug)


def test_a_crawl_killed_midway_is_finished_by_the_next_run(
    start: Start, elysee_site: FixtureSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {
        "schedule__only": '["crawl:elysee"]',
        "schedule__crawl_base_urls": json.dumps({"elysee": elysee_site.base_url}),
        "schedule__crawl_every": "PT1H",
        "schedule__crawl_jitter_seconds": "0",
        "schedule__first_crawl_delay_seconds": "0",
        **FAST_CRAWL,
    }
    # Four dated articles are served, then every further one hangs: the crawl is surely midway.
    elysee_site.fail_after("/emmanuel-macron/20", 4, 503, delay=60)
    first = start("first", **settings)
    wait_until(lambda: publications_of("elysee") >= 2, 60, "the first crawl to store a few publications")
    first.kill_tree()  # the scheduler and its crawl child, at once (a machine or container going down)
    stored_by_the_killed_run = publications_of("elysee")
    elysee_site.fail_all(None)

    second = start("second", **settings)
    wait_until(
        lambda: jobruns.last_runs().get("crawl:elysee", {}).get("status") not in (None, "running"),
        120,
        "the next scheduler's crawl and matching",
    )
    second.terminate()
    assert second.wait(30) == 0

    history = [r for r in jobruns.runs("crawl:elysee") if r["status"] != "skipped"]
    assert [r["status"] for r in history] == ["interrupted", "ok"], history
    assert "matched" in (history[-1]["result"] or "")
    with session_scope() as session:
        crawls = session.execute(select(CrawlRun.status, CrawlRun.error_summary).order_by(CrawlRun.id)).all()
    assert [status for status, _ in crawls] == ["failed", "ok"], crawls
    assert "scheduler process ended during the crawl" in (crawls[0][1] or "")
    assert publications_of("elysee") > stored_by_the_killed_run

    # Nothing half-done is left: a full backfill finds nothing new, and nothing awaits matching.
    for key, value in FAST_CRAWL.items():
        monkeypatch.setenv(f"SUMMITWATCH_{key.upper()}", value)
    reset_settings()
    before = publications_of("elysee")
    [backfill] = crawl(["elysee"], base_url=elysee_site.base_url, full=True)
    assert backfill.status == "ok" and backfill.new == 0, backfill.line()
    assert publications_of("elysee") == before
    assert match_pending().publications == 0


def test_sigterm_during_a_crawl_finishes_the_crawl_and_the_next_leader_matches_at_once(
    start: Start, cesia_site: FixtureSite
) -> None:
    settings = {
        "schedule__only": '["crawl:cesia"]',
        "schedule__crawl_base_urls": json.dumps({"cesia": cesia_site.base_url}),
        "schedule__crawl_every": "PT1H",
        "schedule__crawl_jitter_seconds": "0",
        "schedule__first_crawl_delay_seconds": "0",
        **FAST_CRAWL,
    }
    first = start("first", **settings)
    wait_until(lambda: publications_of("cesia") >= 1, 60, "the crawl to store a publication")
    cesia_site.fail_all(503, delay=2)  # hold the crawl (then a retry succeeds): SIGTERM lands mid-crawl
    first.terminate()
    first.wait_for("stopping after the current job step")
    cesia_site.fail_all(None)
    assert first.wait(60) == 0
    assert "scheduler stopped" in first.output
    [stopped] = [r for r in jobruns.runs("crawl:cesia") if r["status"] != "skipped"]
    assert stopped["status"] == "interrupted", stopped
    assert "cesia: " in stopped["result"] and "matching left for the next run" in stopped["result"]
    with session_scope() as session:
        crawled = session.execute(select(CrawlRun.status).order_by(CrawlRun.id)).scalars().all()
    assert crawled == ["ok"], "the crawl step ran to its end"

    second = start("second", **settings)  # its next crawl is an hour away; the cut run goes first
    second.wait_for(r"crawl:cesia: its last run was cut short; running it again now")
    wait_until(
        lambda: (
            jobruns.last_runs().get("crawl:cesia", {}).get("status") not in (None, "running", "interrupted")
        ),
        60,
        "the resumed crawl and its matching",
    )
    second.terminate()
    assert second.wait(30) == 0
    last = jobruns.last_runs()["crawl:cesia"]
    assert last["status"] == "ok" and "matched" in last["result"], last
    assert match_pending().publications == 0, "everything crawled before the SIGTERM is matched"


def test_scheduler_start_crawls_matches_and_sends_a_digest(
    start: Start,
    smtp_server: SMTPRecorder,
    anssi_site: FixtureSite,
    elysee_site: FixtureSite,
    cesia_site: FixtureSite,
) -> None:
    add_subscribers(1)
    mirrors = {"anssi": anssi_site.base_url, "elysee": elysee_site.base_url, "cesia": cesia_site.base_url}
    service = start(
        "pipeline",
        schedule__crawl_base_urls=json.dumps(mirrors),
        schedule__crawl_every="PT1H",
        schedule__crawl_jitter_seconds="0",
        schedule__first_crawl_delay_seconds="0",
        schedule__digest_every="PT3S",
        schedule__digest_period="current",
        schedule__workers="1",  # one after the other: the digest waits for the crawls and matching
        schedule__misfire_grace_seconds="600",
        schedule__only='["crawl:", "digest:"]',
        smtp_host=smtp_server.host,
        smtp_port=str(smtp_server.port),
        **FAST_CRAWL,
    )
    service.wait_for(r"leads; jobs:")
    smtp_server.wait(1, timeout=150)
    service.terminate()
    assert service.wait(30) == 0

    last = jobruns.last_runs()
    for slug in mirrors:
        run = last[f"crawl:{slug}"]
        assert run["status"] == "ok" and "matched" in (run["result"] or ""), run
    assert last["digest:weekly"]["status"] == "ok" and "1 sent" in last["digest:weekly"]["result"]
    rcpt, message = smtp_server.messages[0]
    assert rcpt == "reader00@example.org"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert any(host in text for host in ("cyber.gouv.fr", "elysee.fr", "securite-ia.fr")), text[:2000]
