"""The stores that have no store test file of their own (usage and quotas, keys, DeepL's documents, the
translation memory), and what
replicas share through the database: each run on a SQLite file, then on PostgreSQL. Two store objects on
one database stand for two replicas (each has its own connections)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from service.compat.deepl_store import DeepLStore
from service.jobs.records import ItemInput
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.key_store import KeyNameRefused, KeyStore
from service.memory import MemoryEntry, MemoryStore, person_entry
from service.usage_store import QuotaExceeded, UsageStore


def _replicas(db_target: str | Path) -> tuple[UsageStore, UsageStore]:
    return UsageStore(db_target), UsageStore(db_target)


def test_reserved_characters_count_against_the_quota_until_settled_once(db_target: str | Path) -> None:
    first, second = _replicas(db_target)
    taken = first._reserve("t", 60, 100)
    with pytest.raises(QuotaExceeded):
        second._reserve("t", 41, 100)  # the other replica sees the reservation
    second.settle_now(taken.id or "", 30)
    second.settle_now(taken.id or "", 30)  # a second settle of one reservation does nothing
    assert asyncio.run(first.usage("t")).characters == 30
    assert first._reserve("t", 70, 100).characters == 70
    with pytest.raises(QuotaExceeded):
        first._reserve("t", 1, 100)


def test_replicas_reserving_at_once_never_pass_the_quota_together(db_target: str | Path) -> None:
    stores = [UsageStore(db_target) for _ in range(4)]
    granted: list[int] = []

    def spend(store: UsageStore) -> None:
        for _ in range(15):
            try:
                store._reserve("t", 10, 200)
                granted.append(10)
            except QuotaExceeded:
                pass

    threads = [threading.Thread(target=spend, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 200  # 60 tries of 10 for a quota of 200: exactly 20 granted
    assert asyncio.run(stores[0].usage("t")).reserved == 200


def test_a_key_made_on_one_replica_is_found_on_another_and_revoked_at_once(db_target: str | Path) -> None:
    made_on, used_on = KeyStore(db_target), KeyStore(db_target)
    key = made_on.add("alice", quota=500, rate=60)
    found = asyncio.run(used_on.find(key))
    assert found is not None and (found.name, found.quota, found.rate) == ("alice", 500, 60)
    with pytest.raises(KeyNameRefused):
        used_on.add("alice")
    assert made_on.revoke("alice") and asyncio.run(used_on.find(key)) is None
    again = used_on.add("alice")  # a revoked name may be given a new key
    assert asyncio.run(made_on.find(again)) is not None and [k.name for k in made_on.all()] == ["alice"]


def test_a_deepl_document_key_is_checked_and_forgotten(db_target: str | Path) -> None:
    store = DeepLStore(db_target)
    key = asyncio.run(store.new_document("job1", "a.docx"))
    assert asyncio.run(store.document_file("job1", key)) == "a.docx"
    assert asyncio.run(store.document_file("job1", "wrong")) is None
    store.forget(["job1"])
    assert asyncio.run(store.document_file("job1", key)) is None


# -- leases ------------------------------------------------------------------------------------------


def _job(store: JobStore, count: int) -> str:
    job, _ = store.create("t", JobOptions(), [ItemInput(f"i{n}", f"第{n}句。") for n in range(count)])
    return job.id


def test_two_replicas_claim_different_items_and_a_lapsed_lease_is_taken_over(db_target: str | Path) -> None:
    first, second = JobStore(db_target), JobStore(db_target)
    job = _job(first, 6)
    mine = first.claim(job, "a", 2, 60.0)
    theirs = second.claim(job, "b", 10, 0.2)
    assert [p.position for p in mine] == [0, 1] and [p.position for p in theirs] == [2, 3, 4, 5]
    assert first.claim(job, "a", 10, 60.0, running=[0, 1]) == []  # every item is held
    # One of its own items that it is not running (a record refused) is its own to take again.
    assert [p.position for p in first.claim(job, "a", 10, 60.0, running=[1])] == [0]
    time.sleep(0.3)  # b died: its leases lapse
    assert [p.position for p in first.claim(job, "a", 10, 60.0, running=[0, 1])] == [2, 3, 4, 5]


def test_a_finished_item_is_recorded_once_whoever_finishes_it(db_target: str | Path) -> None:
    first, second = JobStore(db_target), JobStore(db_target)
    job = _job(first, 1)
    first.claim(job, "a", 1, 0.1)
    time.sleep(0.2)
    second.claim(job, "b", 1, 60.0)  # a was slow: b took the item over
    assert second.record(job, 0, {"id": "i0", "translation": "by b", "error": None})
    assert not first.record(job, 0, {"id": "i0", "translation": "by a", "error": None})
    assert [r["translation"] for _, r in first.records(job)] == ["by b"]
    done = first.finish(job)
    assert done is not None and (done.state, done.done) == ("done", 1)


def test_heartbeats_keep_a_lease_and_a_job_is_finished_only_when_nothing_is_pending(
    db_target: str | Path,
) -> None:
    store = JobStore(db_target)
    job = _job(store, 2)
    store.claim(job, "a", 2, 0.3)
    time.sleep(0.2)
    assert store.renew("a", job, [0, 1], 60.0) == 2
    time.sleep(0.2)
    assert store.claim(job, "b", 2, 60.0) == []  # renewed: still a's
    store.record(job, 0, {"id": "i0", "error": None})
    still = store.finish(job)
    assert still is not None and still.state == "queued"  # item 1 is in flight on a


def test_claims_at_once_never_take_one_item_twice(db_target: str | Path) -> None:
    stores = [JobStore(db_target) for _ in range(4)]
    job = _job(stores[0], 80)
    taken: list[int] = []

    def claim(store: JobStore, owner: str) -> None:
        mine: list[int] = []  # all still running: none of them is its to take again
        while items := store.claim(job, owner, 3, 60.0, running=mine):
            mine.extend(p.position for p in items)
        taken.extend(mine)

    threads = [threading.Thread(target=claim, args=(s, f"r{n}")) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(80))


def test_the_translation_memory_is_each_tenants_and_shared_by_replicas(db_target: str | Path) -> None:
    written, read = MemoryStore(db_target), MemoryStore(db_target)
    model = MemoryEntry("t", "k1", "model", "zh", "大会召开。", "Conference open.", "m.gguf")
    assert written.put([model]) == 1
    assert read.lookup("t", ["k1", "k2"])["k1"].translation == "Conference open."
    assert read.lookup("other", ["k1"]) == {}
    person = person_entry("t", "zh", "大会召开。", "The conference opened.")
    written.put([person, MemoryEntry("t", "k1", "model", "zh", "大会召开。", "Again.", "m.gguf")])
    assert [e.translation for e in read.entries("t")] == ["Again.", "The conference opened."]
    assert read.forget("t", "k1") and not read.forget("t", "k1")
