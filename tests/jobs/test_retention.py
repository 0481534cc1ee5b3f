"""Retention (GAZETTE_RETENTION_DAYS): finished jobs older than it are deleted whole (rows, uploads,
results, what other stores keep of them) and their space is given back; nothing younger or unfinished is
touched. Measured on a file of 1,000 finished jobs."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from service.gazette import Gazette
from service.jobs.jobs import Jobs
from service.jobs.records import ItemInput
from service.jobs.retention import DAY, sweep
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.settings import Settings

JOBS = 1_000
UPLOAD = bytes(range(256)) * 16  # 4 KiB a job


def _finished_job(store: JobStore, n: int) -> str:
    name = f"notice-{n}.txt"
    job, _ = store.create(
        "t", JobOptions(), [ItemInput("a", f"第{n}次会议召开。" * 10, name)], {name: UPLOAD}
    )
    store.start(job.id)
    store.record(job.id, 0, {"id": "a", "translation": "The meeting was held. " * 10, "error": None})
    store.finish(job.id)
    return job.id


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_jobs_older_than_the_retention_are_gone_rows_and_blobs(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path)
    old = [_finished_job(store, n) for n in range(JOBS)]
    young = _finished_job(store, JOBS)
    unfinished, _ = store.create("t", JobOptions(), [ItemInput("a", "会议。")])
    with sqlite3.connect(path) as db:  # the old ones finished 31 days ago; the unfinished one was made then
        db.executemany("UPDATE jobs SET finished = finished - ? WHERE id = ?", [(31 * DAY, i) for i in old])
        db.execute("UPDATE jobs SET created = created - ? WHERE id = ?", (31 * DAY, unfinished.id))
    forgotten: list[str] = []
    jobs = Jobs(store, Settings(model_cache=tmp_path), lambda: None)
    jobs.on_deleted(lambda ids: forgotten.extend(ids))
    store.reclaim()
    size_before = path.stat().st_size

    started = time.perf_counter()
    deleted = asyncio.run(sweep(jobs, 30))
    seconds = time.perf_counter() - started

    assert deleted == JOBS and sorted(forgotten) == sorted(old)
    assert {store.get(i) for i in old} == {None}
    assert store.get(young) is not None and store.get(unfinished.id) is not None
    assert (_count(path, "jobs"), _count(path, "items"), _count(path, "files")) == (2, 2, 1)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0  # every freed page given back
    size_after = path.stat().st_size
    assert size_after < size_before - JOBS * len(UPLOAD)  # the uploads' bytes, at least, are gone
    print(
        f"\nretention: {JOBS} jobs deleted in {seconds:.2f} s; file {size_before:,} -> {size_after:,} bytes"
    )
    assert asyncio.run(sweep(jobs, 30)) == 0


def test_a_file_made_before_retention_is_converted_to_give_space_back(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA auto_vacuum=NONE")
        db.execute("CREATE TABLE old (x)")
    JobStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental


def test_the_engine_sweeps_as_it_starts(tiny_marian_dir: Path, tmp_path: Path) -> None:
    """`Gazette(settings, run_jobs=True)` runs the supervised sweep: an old finished job is gone soon after
    the start, a young one stays."""
    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path)
    old, young = _finished_job(store, 1), _finished_job(store, 2)
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE jobs SET finished = finished - ? WHERE id = ?", (3 * DAY, old))
    settings = Settings(
        profile="tiny", translate_model=str(tiny_marian_dir), model_cache=tmp_path, db=path, retention_days=2
    )

    async def scenario() -> None:
        async with Gazette(settings, run_jobs=True) as engine:
            async with asyncio.timeout(20):
                while await engine.jobs.progress(old, "t") is not None:
                    await asyncio.sleep(0.05)
            assert await engine.jobs.progress(young, "t") is not None

    asyncio.run(scenario())
