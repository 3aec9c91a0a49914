"""Locks, the job ledger, the job store sync and housekeeping, in one process, on both databases."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scheduler import jobs
from scheduler.locking import LEADER_LOCK, LockHeld, held
from scheduler.service import make_scheduler, resume_cut_short, stored_jobs, sync_jobs
from storage import jobruns
from storage.db import session_scope
from storage.housekeeping import expire_pending, prune_snapshots
from storage.locks import DatabaseLock, lock_info, new_holder
from storage.models import Publication, Snapshot, Subscriber, utcnow
from storage.publications import PublicationInput, store_snapshot, upsert_publication
from storage.subscribers import add_subscriber
from summitwatch.config import get_settings, reset_settings
from tests.conftest import CliResult


def test_a_lock_has_one_holder_until_released(db: str) -> None:
    first = DatabaseLock("job:x", holder=new_holder("a"), lease_seconds=30)
    second = DatabaseLock("job:x", holder=new_holder("b"), lease_seconds=30)
    other = DatabaseLock("job:y", holder=new_holder("b"), lease_seconds=30)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert other.acquire(), "locks are per name"
        info = lock_info("job:x")
        assert info is not None and info.holder == first.holder and info.live
        assert first.renew()
        first.release()
        assert lock_info("job:x") is None
        assert second.acquire()
        assert not first.acquire()
    finally:
        for lock in (first, second, other):
            lock.release()


def test_renewing_keeps_the_moment_the_lead_was_taken(db: str, cli: Callable[..., CliResult]) -> None:
    """`scheduler jobs` says "leading since" the lock was taken, not since its last renewal."""
    lock = DatabaseLock(LEADER_LOCK, holder=new_holder("scheduler"), lease_seconds=30)
    assert lock.acquire()
    try:
        taken = lock_info(LEADER_LOCK)
        assert taken is not None
        time.sleep(1.1)  # the CLI shows seconds
        assert lock.renew() and lock.renew()
        renewed = lock_info(LEADER_LOCK)
        assert renewed is not None and renewed.holder == lock.holder
        assert renewed.acquired_at == taken.acquired_at
        assert renewed.expires_at > taken.expires_at
        shown = cli("scheduler", "jobs")
        assert shown.code == 0, shown.output
        since = taken.acquired_at.astimezone(ZoneInfo(get_settings().schedule.timezone))
        assert f"leading since {since.strftime('%Y-%m-%d %H:%M:%S %Z')}" in shown.stdout, shown.stdout
    finally:
        lock.release()


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL: the advisory lock decides, see below
def test_sqlite_lease_expires_and_the_lapsed_holder_notices(db: str) -> None:
    dead = DatabaseLock("job:lease", holder=new_holder("dead"), lease_seconds=2.0)
    alive = DatabaseLock("job:lease", holder=new_holder("alive"), lease_seconds=30)
    assert dead.acquire()
    assert not alive.acquire()
    time.sleep(2.2)  # the holder stopped renewing (killed, suspended...)
    assert alive.acquire()
    assert not dead.renew(), "a holder whose lease was taken over must learn it lost the lock"
    alive.release()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgres_advisory_lock_ends_with_its_connection(db: str) -> None:
    first = DatabaseLock("scheduler:leader", holder=new_holder("a"), lease_seconds=600)
    second = DatabaseLock("scheduler:leader", holder=new_holder("b"), lease_seconds=600)
    assert first.acquire()
    assert not second.acquire(), "the advisory lock wins even though the lease row could be taken"
    assert first._connection is not None
    first._connection.invalidate()  # what the server sees when the holder's process dies
    first._connection = None
    assert second.acquire()
    second.release()
    first.release()


def test_run_job_skips_and_records_when_the_lock_is_held(db: str, tmp_path, monkeypatch) -> None:
    probe_file = tmp_path / "probe.log"
    monkeypatch.setenv("SUMMITWATCH_SCHEDULE__PROBE_FILE", str(probe_file))
    monkeypatch.setenv("SUMMITWATCH_SCHEDULE__PROBE_SECONDS", "0")
    reset_settings()
    with held("job:probe", new_holder("elsewhere")):
        outcome = jobs.run_job("probe")
    assert outcome.status == "skipped" and "held by" in outcome.result
    assert not probe_file.exists()
    done = jobs.run_job("probe")
    assert done.status == "ok"
    assert [line.split()[0] for line in probe_file.read_text().splitlines()] == ["start", "end"]
    history = jobruns.runs("probe")
    assert [r["status"] for r in history] == ["skipped", "ok"]
    assert jobruns.last_runs()["probe"]["status"] == "ok"
    assert jobruns.last_runs(include_skipped=True)["probe"]["status"] == "ok"
    with pytest.raises(LockHeld), held("job:probe", "a"), held("job:probe", "b"):
        pass


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(db: str, monkeypatch) -> None:
    monkeypatch.setenv("SUMMITWATCH_SCHEDULE__PROBE_SECONDS", "0")
    reset_settings()
    jobruns.start_run("probe", "gone:1")  # its process was SIGKILLed mid-run
    assert jobs.run_job("probe").ok
    assert [r["status"] for r in jobruns.runs("probe")] == ["interrupted", "ok"]


def test_unknown_jobs_are_refused(db: str) -> None:
    with pytest.raises(KeyError, match="unknown job"):
        jobs.run_job("crawl")
    assert jobs.known_job("crawl:anssi") and jobs.known_job("digest:weekly")
    assert not jobs.known_job("nope")


def test_job_store_sync_keeps_fixed_ids_and_next_runs(db: str, monkeypatch) -> None:
    specs = jobs.job_specs()
    assert [s.id for s in specs] == [
        "crawl:anssi",
        "crawl:cesia",
        "crawl:elysee",
        "digest:weekly",
        "digest:retry",
        "housekeeping:daily",
    ]
    digest = next(s for s in specs if s.id == "digest:weekly")
    monday = digest.trigger.get_next_fire_time(None, datetime(2025, 2, 12, 12, tzinfo=UTC))
    assert monday is not None and monday.isoformat() == "2025-02-17T08:00:00+01:00"

    scheduler = make_scheduler(get_settings())
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, specs)
        first = {j.id: j.next_run_time for j in scheduler.get_jobs()}
        assert all(j.coalesce and j.max_instances == 1 for j in scheduler.get_jobs())
        assert {j.misfire_grace_time for j in scheduler.get_jobs()} == {3600}
    finally:
        scheduler.shutdown(wait=False)
    # A restart (new scheduler, same store): same ids, same next runs, nothing duplicated.
    monkeypatch.setenv("SUMMITWATCH_SCHEDULE__ONLY", '["crawl:", "digest:"]')
    reset_settings()
    scheduler = make_scheduler(get_settings())
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, jobs.job_specs())
    finally:
        scheduler.shutdown(wait=False)
    stored = stored_jobs()
    assert sorted(stored) == ["crawl:anssi", "crawl:cesia", "crawl:elysee", "digest:retry", "digest:weekly"]
    assert {k: v[1] for k, v in stored.items()} == {k: v for k, v in first.items() if k in stored}


def test_a_job_cut_short_runs_again_as_soon_as_a_scheduler_leads(db: str, monkeypatch) -> None:
    monkeypatch.setenv("SUMMITWATCH_SCHEDULE__PROBE_EVERY", "PT1H")
    monkeypatch.setenv("SUMMITWATCH_SCHEDULE__ONLY", '["probe", "digest:", "crawl:cesia"]')
    reset_settings()
    jobruns.start_run("digest:weekly", "gone:1")  # its process was SIGKILLed mid-send
    jobruns.record_skip("digest:weekly", "other:2", "skipped: lock held")  # skips do not hide it
    jobruns.start_run("probe", "gone:1")
    jobruns.finish_run(jobruns.start_run("probe", "here:3"), "ok", "done")  # finished since: nothing to do
    stopped = jobruns.start_run("crawl:cesia", "here:3")
    jobruns.finish_run(stopped, "interrupted", "crawled; matching left for the next run")  # SIGTERM
    scheduler = make_scheduler(get_settings())
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, jobs.job_specs())
        before = datetime.now(UTC)
        assert resume_cut_short(scheduler) == ["crawl:cesia", "digest:weekly"]
        digest = scheduler.get_job("digest:weekly")
        assert digest is not None and digest.next_run_time <= datetime.now(UTC)
        assert digest.next_run_time >= before - timedelta(seconds=1)
        probe = scheduler.get_job("probe")
        assert probe is not None and probe.next_run_time > datetime.now(UTC) + timedelta(minutes=30)
    finally:
        scheduler.shutdown(wait=False)


def test_housekeeping_expires_old_pending_and_prunes_unreferenced_snapshots(db: str) -> None:
    old = utcnow() - timedelta(days=45)
    with session_scope() as session:
        stale = add_subscriber(session, "stale@example.org")
        stale.created_at = old
        add_subscriber(session, "fresh@example.org")
        active = add_subscriber(session, "active@example.org", state="active")
        active.created_at = old
        kept = store_snapshot(session, "https://x.test/a", b"cited by a publication")
        gone = store_snapshot(session, "https://x.test/b", b"nobody cites this")
        recent = store_snapshot(session, "https://x.test/c", b"recent, uncited")
        _, publication = upsert_publication(
            session,
            PublicationInput(url="https://cyber.gouv.fr/actualites/x", source="anssi", title="x", body="y"),
        )
        publication.snapshot_sha256 = kept
        for sha in (kept, gone):
            snapshot = session.get(Snapshot, sha)
            assert snapshot is not None
            snapshot.fetched_at = utcnow() - timedelta(days=400)
    assert expire_pending(30) == 1
    assert prune_snapshots(365) == 1
    with session_scope() as session:
        emails = set(session.scalars(select(Subscriber.email)))
        shas = set(session.scalars(select(Snapshot.sha256)))
        assert session.scalar(select(Publication.snapshot_sha256)) == kept
    assert emails == {"fresh@example.org", "active@example.org"}
    assert shas == {kept, recent}
    assert gone not in shas
    assert jobs.run_job("housekeeping:daily").ok
