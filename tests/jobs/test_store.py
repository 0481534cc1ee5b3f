"""The job store: durable, transactional, resumable state for jobs and their items."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from service.jobs.job import IdempotencyConflict, TooManyJobs
from service.jobs.records import ItemInput, error_record
from service.jobs.store import JobStore
from service.jobs.work import JobOptions


def _items(count: int) -> list[ItemInput]:
    return [ItemInput(f"i{n}", f"第{n}句。") for n in range(count)]


def _record(item_id: str) -> dict[str, object]:
    return {"id": item_id, "translation": f"sentence {item_id}", "error": None}


@pytest.fixture
def store(db_target: str | Path) -> JobStore:
    """On a SQLite file, then on PostgreSQL (tests/conftest.py)."""
    return JobStore(db_target)


def test_a_new_job_is_queued_with_its_items_counted(store: JobStore) -> None:
    job, created = store.create("t", JobOptions("both", "zh", {"同安区": "Tong'an District"}, 3), _items(4))
    assert created
    assert (job.state, job.total, job.done, job.failed, job.chars) == ("queued", 4, 0, 0, 16)
    assert job.options == JobOptions("both", "zh", {"同安区": "Tong'an District"}, 3)
    assert store.get(job.id) == job
    assert store.get("nothing") is None


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    JobStore(tmp_path / "jobs.sqlite3")
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_idempotency_key_returns_the_same_job_and_refuses_another_body(store: JobStore) -> None:
    first, created = store.create("t", JobOptions(), _items(2), idempotency_key="k1")
    again, created_again = store.create("t", JobOptions(), _items(2), idempotency_key="k1")
    assert created and not created_again and again.id == first.id
    with pytest.raises(IdempotencyConflict):
        store.create("t", JobOptions(), _items(3), idempotency_key="k1")
    assert len(store.newest("t", 10)) == 1


def test_a_record_is_committed_and_seen_by_another_connection_at_once(db_target: str | Path) -> None:
    path = db_target
    writer = JobStore(path)
    job, _ = writer.create("t", JobOptions(), _items(3))
    writer.record(job.id, 1, _record("i1"))
    # As a restarted process would see it: a new connection, the writer never closed.
    reader = JobStore(path)
    seen = reader.get(job.id)
    assert seen is not None and seen.done == 1
    assert [p.position for p in reader.pending(job.id, 10)] == [0, 2]
    assert reader.records(job.id) == []  # item 0 comes first and is not done yet
    writer.record(job.id, 0, _record("i0"))
    [_, (position, record)] = reader.records(job.id)
    assert position == 1 and record.pop("finished").endswith("+00:00") and record == _record("i1")


def test_pending_items_come_in_input_order_leaving_out_those_in_flight(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(6))
    assert [p.position for p in store.pending(job.id, 3)] == [0, 1, 2]
    assert [p.position for p in store.pending(job.id, 3, skip=[0, 1, 2])] == [3, 4, 5]
    assert store.pending(job.id, 2)[0].item == ItemInput("i0", "第0句。")


def test_finishing_says_done_or_failed_when_every_item_failed(store: JobStore) -> None:
    mixed, _ = store.create("t", JobOptions(), _items(2))
    store.record(mixed.id, 0, _record("i0"))
    store.record(mixed.id, 1, error_record(ItemInput("i1", "x"), "unsupported language"))
    done = store.finish(mixed.id)
    assert (done.state, done.done, done.failed) == ("done", 1, 1)
    assert done.finished is not None
    broken, _ = store.create("t", JobOptions(), _items(1))
    store.record(broken.id, 0, error_record(ItemInput("i0", "x"), "bad"))
    assert store.finish(broken.id).state == "failed"


def test_cancel_marks_the_pending_items_and_an_item_in_flight_still_counts(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(4))
    store.start(job.id)
    store.record(job.id, 0, _record("i0"))
    cancelled = store.cancel(job.id)
    assert cancelled is not None
    assert (cancelled.state, cancelled.done, cancelled.cancelled) == ("cancelled", 1, 3)
    store.record(job.id, 1, _record("i1"))  # was in flight when cancelled: it finishes
    after = store.finish(job.id)
    assert (after.state, after.done, after.cancelled) == ("cancelled", 2, 2)
    assert store.pending(job.id, 10) == []
    assert store.cancel("nothing") is None


def test_records_page_in_input_order_up_to_the_first_unfinished_item(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(5))
    for position in (3, 0, 4, 1):
        store.record(job.id, position, _record(f"i{position}"))
    # Item 2 is still in flight: what follows it waits, so paging on from i1 cannot skip it.
    assert [p for p, _ in store.records(job.id)] == [0, 1]
    assert [p for p, _ in store.records(job.id, after=0, limit=1)] == [1]
    store.record(job.id, 2, _record("i2"))
    assert [p for p, _ in store.records(job.id, after=1)] == [2, 3, 4]
    assert store.position_of(job.id, "i3") == 3
    assert store.position_of(job.id, "nope") is None


def test_newest_first_with_pages(store: JobStore) -> None:
    made = [store.create("t", JobOptions(), _items(1))[0].id for _ in range(5)]
    first = store.newest("t", 2)
    assert [job.id for job in first] == made[::-1][:2]
    assert [job.id for job in store.newest("t", 10, before=first[-1].id)] == made[::-1][2:]
    assert store.unfinished() == made


def test_a_full_store_refuses_new_jobs_but_still_answers_a_replay(store: JobStore) -> None:
    first, _ = store.create("t", JobOptions(), _items(1), idempotency_key="k", max_active=1)
    with pytest.raises(TooManyJobs):
        store.create("t", JobOptions(), _items(2), max_active=1)
    again, created = store.create("t", JobOptions(), _items(1), idempotency_key="k", max_active=1)
    assert again.id == first.id and not created


def test_uploaded_files_are_kept_with_their_item_record(store: JobStore) -> None:
    job, _ = store.create(
        "t", JobOptions(), [ItemInput("a.txt", "第一句。", "a.txt")], files={"a.txt": "第一句。".encode()}
    )
    assert job.files == ("a.txt",)
    assert store.file(job.id, "a.txt") == ("第一句。".encode(), None)
    store.record(job.id, 0, _record("a.txt"))
    assert store.file(job.id, "a.txt") == ("第一句。".encode(), _record("a.txt"))
    assert store.file(job.id, "b.txt") is None


OLD_SCHEMA = """
CREATE TABLE jobs (id TEXT PRIMARY KEY, task TEXT NOT NULL, options TEXT NOT NULL, state TEXT NOT NULL,
    idempotency_key TEXT UNIQUE, fingerprint TEXT NOT NULL, total INTEGER NOT NULL, chars INTEGER NOT NULL,
    created REAL NOT NULL, updated REAL NOT NULL, started REAL, resumed REAL, finished REAL);
CREATE TABLE items (job_id TEXT NOT NULL REFERENCES jobs(id), position INTEGER NOT NULL, item_id TEXT NOT NULL,
    file TEXT, text TEXT NOT NULL, chars INTEGER NOT NULL, state TEXT NOT NULL, record TEXT, finished REAL,
    PRIMARY KEY (job_id, position));
CREATE TABLE files (job_id TEXT NOT NULL REFERENCES jobs(id), name TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (job_id, name));
INSERT INTO jobs VALUES ('old', 'translate', '{"task": "translate", "source_lang": "auto", "glossary": {},
    "bullets": 5}', 'done', 'k1', 'f', 0, 0, 1.0, 1.0, 1.0, 1.0, 1.0);
"""


def test_a_file_made_before_tenants_opens_its_jobs_the_anonymous_tenants(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(OLD_SCHEMA)
    store = JobStore(path)
    found = store.get("old", "anonymous")
    assert found is not None and found.tenant == "anonymous"
    assert store.get("old", "key-0123456789ab") is None
    _, created = store.create("anonymous", JobOptions(), _items(1), idempotency_key="k1")
    assert created  # the old row's key was filed before keys were each tenant's own
