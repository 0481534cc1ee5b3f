"""What replicas hold for a while and lose when they die, beyond job items' leases: the characters a request
reserved (leased to the replica that made it, renewed by its heartbeat, given back by any replica once
lapsed) and a job's concurrency (held over every replica that claims its items, each taking its share).
Each run on a SQLite file, then on PostgreSQL; two store objects on one database stand for two replicas."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from service.access import Access
from service.jobs.records import ItemInput
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.usage_store import QuotaExceeded, UsageStore

LEASE = 0.5  # seconds


def _reserved(store: UsageStore) -> int:
    return asyncio.run(store.usage("t")).reserved


def test_a_dead_replicas_request_reservations_are_given_back_after_the_lease_a_live_ones_kept(
    db_target: str | Path,
) -> None:
    dead, live = UsageStore(db_target, lease_seconds=LEASE), UsageStore(db_target, lease_seconds=LEASE)
    dead._reserve("t", 50, 100)  # its process is killed: nothing renews this
    live._reserve("t", 30, 100)
    for_job = live._reserve("t", 10, 100)
    live._attach(for_job, "job-1")  # a job's: it waits for its job to end, whoever's lease lapses
    assert live.release_expired() == 0  # no lease has lapsed yet
    with pytest.raises(QuotaExceeded):
        live._reserve("t", 11, 100)
    lapse = time.monotonic() + 2 * LEASE
    while time.monotonic() < lapse:  # the live replica's heartbeat, every third of the lease or so
        assert live.renew() == 1
        time.sleep(LEASE / 4)
    assert live.release_expired() == 1  # the dead one's, by the live replica
    assert _reserved(live) == 40
    assert live._reserve("t", 60, 100).characters == 60  # exactly what was given back
    with pytest.raises(QuotaExceeded):
        live._reserve("t", 1, 100)


def test_a_starting_replica_gives_back_only_what_no_live_replica_holds(db_target: str | Path) -> None:
    running = UsageStore(db_target, lease_seconds=60.0)
    running._reserve("t", 30, None)
    started = UsageStore(db_target, lease_seconds=60.0)
    started.release_orphans()
    if started.database.postgres:  # another replica's request, in flight now
        assert _reserved(started) == 30
    else:  # a SQLite file is one process's: whatever is left is a stopped process's
        assert _reserved(started) == 0


def test_a_reservation_given_back_under_a_replica_that_was_only_cut_off_is_still_charged(
    db_target: str | Path,
) -> None:
    stalled, other = UsageStore(db_target, lease_seconds=0.1), UsageStore(db_target, lease_seconds=0.1)
    request = stalled._reserve("t", 40, 100)
    submission = stalled._reserve("t", 20, 100)
    time.sleep(0.2)  # its heartbeats did not reach the database for a whole lease
    assert other.release_expired() == 2
    stalled._settle_request(request, 40)  # it served them: they are counted
    stalled._attach(submission, "job-1")  # the job it stored still holds its reservation
    assert asyncio.run(other.usage("t")).characters == 40
    assert [job for _, job in other.job_reservations()] == ["job-1"]


def test_the_servers_heartbeat_keeps_its_reservations_and_gives_back_a_dead_ones(
    db_target: str | Path,
) -> None:
    dead = UsageStore(db_target, lease_seconds=LEASE)
    dead._reserve("t", 50, None)

    async def serve() -> tuple[int, int]:
        access = Access([], db=db_target, lease_seconds=LEASE)
        heartbeat = asyncio.create_task(access.keep_reservations())
        mine = await access.usage_store.reserve("t", 30, None)
        await asyncio.sleep(3 * LEASE)
        reserved = (await access.usage_store.usage("t")).reserved
        await access.usage_store.settle(mine, 30)
        heartbeat.cancel()
        used = (await access.usage_store.usage("t")).characters
        access.close()
        return reserved, used

    assert asyncio.run(serve()) == (30, 30)


# -- a job's concurrency over replicas -----------------------------------------------------------------


def _job(store: JobStore, count: int) -> str:
    job, _ = store.create("t", JobOptions(), [ItemInput(f"i{n}", f"第{n}句。") for n in range(count)])
    return job.id


def _done(store: JobStore, job: str, position: int) -> None:
    assert store.record(job, position, {"id": f"i{position}", "translation": "x", "error": None})


def _leased(store: JobStore, job: str) -> int:
    with store.database.read() as db:
        return int(db.execute(text(
            "SELECT COUNT(*) FROM items WHERE job_id = :job AND state = 'pending' AND lease_until >= :now"
        ), {"job": job, "now": time.time()}).scalar_one())  # fmt: skip


def test_two_replicas_hold_a_jobs_concurrency_together_and_share_it(db_target: str | Path) -> None:
    first, second = JobStore(db_target), JobStore(db_target)
    job = _job(first, 20)
    assert [p.position for p in first.claim(job, "a", 10, 60.0, job_limit=4)] == [0, 1, 2, 3]
    assert second.claim(job, "b", 10, 60.0, job_limit=4) == []  # all four held by a; b waits its turn
    _done(first, job, 0)
    assert first.claim(job, "a", 10, 60.0, running=[1, 2, 3], job_limit=4) == []  # a is over its share (2)
    _done(first, job, 1)
    assert first.claim(job, "a", 10, 60.0, running=[2, 3], job_limit=4) == []
    assert [p.position for p in second.claim(job, "b", 10, 60.0, job_limit=4)] == [4, 5]
    assert _leased(first, job) == 4


def test_a_claimant_that_died_gives_its_share_back_after_the_lease(db_target: str | Path) -> None:
    first, second = JobStore(db_target), JobStore(db_target)
    job = _job(first, 10)
    assert len(first.claim(job, "a", 10, 60.0, job_limit=4)) == 4
    assert second.claim(job, "b", 10, LEASE, job_limit=4) == []  # b claims once, then dies
    _done(first, job, 0)
    _done(first, job, 1)
    assert first.claim(job, "a", 10, 60.0, running=[2, 3], job_limit=4) == []
    time.sleep(LEASE + 0.1)
    assert [p.position for p in first.claim(job, "a", 10, 60.0, running=[2, 3], job_limit=4)] == [4, 5]


def test_replicas_claiming_at_once_never_hold_more_than_the_jobs_concurrency(db_target: str | Path) -> None:
    stores = [JobStore(db_target) for _ in range(4)]
    job, limit = _job(stores[0], 60), 3
    most: list[int] = []
    holders: set[str] = set()

    def work(store: JobStore, owner: str) -> None:
        mine: list[int] = []
        while True:
            taken = store.claim(job, owner, limit, 60.0, running=mine, job_limit=limit)
            most.append(_leased(store, job))  # never more than the limit, at any moment
            mine.extend(p.position for p in taken)
            if taken:
                holders.add(owner)
            if mine:
                _done(store, job, mine.pop(0))
            elif not store.pending(job, 1):
                return
            else:
                time.sleep(0.01)  # everything left is held by the others

    threads = [threading.Thread(target=work, args=(s, f"r{n}")) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(most) <= limit, max(most)
    assert len(holders) >= 2, holders  # the share let more than one replica in
    assert [p for p, _ in stores[0].records(job)] == list(range(60))
