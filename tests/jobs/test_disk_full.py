"""The disk filling up while the job store writes: SQLite's own "database or disk is full" (the store's
file held to the size it has, `JobStore.limit_size`), not a mock. The write is rolled back whole, the job
pauses with the reason on it, the records already made stay as they were, and once there is room again
the job finishes with every item recorded once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from service.api.jobs import job_out
from service.db.errors import StoreWriteFailed
from service.engine.pending import Priority
from service.jobs.jobs import Jobs
from service.jobs.records import ItemInput
from service.jobs.runner import JobRunner
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument
from service.settings import Settings
from tests.jobs.test_runner import FakeEngine, in_loop

ITEMS = 12
FULL_AT = 5  # the disk fills while this item is being translated


def _items() -> list[ItemInput]:
    # Records of some 12 KB each: every one needs new pages, so none fits in space the file already has.
    return [ItemInput(f"i{n}", f"item {n} " + "x" * 3000) for n in range(ITEMS)]


def test_a_refused_write_is_rolled_back_whole_and_the_store_goes_on(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job, _ = store.create("t", JobOptions(), _items())
    store.record(job.id, 0, {"id": "i0", "translation": "done before", "error": None})
    store.limit_size(0)  # no room beyond what the file holds now
    with pytest.raises(StoreWriteFailed, match="database or disk is full"):
        store.record(job.id, 1, {"id": "i1", "translation": "y" * 20_000, "error": None})
    with pytest.raises(StoreWriteFailed, match="database or disk is full"):
        store.create("t", JobOptions(), _items())  # a new job is refused too, and nothing of it is kept
    stored = store.get(job.id)
    assert stored is not None and (stored.state, stored.done) == ("queued", 1)
    assert len(store.newest("t", 10)) == 1
    store.limit_size(None)
    store.record(job.id, 1, {"id": "i1", "translation": "y" * 20_000, "error": None})
    assert [record["id"] for _, record in store.records(job.id)] == ["i0", "i1"]


class FillsTheDisk(FakeEngine):
    """Translates as FakeEngine does; the disk fills while it works on item FULL_AT."""

    def __init__(self, store: JobStore) -> None:
        super().__init__(delay=0.01)
        self.store = store
        self.filled = False

    async def translate(
        self, jobs: Sequence[TranslateJob], *, priority: Priority = Priority.INTERACTIVE, **who: object
    ) -> list[TranslatedDocument]:
        if jobs[0].text.startswith(f"item {FULL_AT} ") and not self.filled:
            self.filled = True  # once: the item runs again after the pause, and must find room then
            self.store.limit_size(0)
        return await super().translate(jobs, priority=priority, **who)  # type: ignore[arg-type]


@in_loop
async def test_a_job_pauses_on_a_full_disk_and_finishes_once_there_is_room(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job, _ = store.create("t", JobOptions(), _items())
    runner = JobRunner(store, FillsTheDisk(store), concurrency=2, retry_seconds=0.05)
    jobs = Jobs(store, Settings(model_cache=tmp_path), runner.wake, lambda: runner.paused)
    running = asyncio.create_task(runner.run_forever())
    try:
        while runner.paused is None:
            await asyncio.sleep(0.01)
        before = dict(store.records(job.id))
        await asyncio.sleep(0.3)  # several tries, each refused while the disk stays full
        paused = await jobs.progress(job.id, "t")
        assert paused is not None and paused.job.state == "running"
        assert paused.job.done == len(before) <= FULL_AT + 1 < ITEMS
        assert "database or disk is full" in str(job_out(paused).paused)
        assert dict(store.records(job.id)) == before  # what was recorded stays exactly as it was

        store.limit_size(None)  # room again
        while store.state(job.id) != "done":
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    after = dict(store.records(job.id))
    assert [record["id"] for record in after.values()] == [f"i{n}" for n in range(ITEMS)]
    assert all(after[position] == record for position, record in before.items())
    finished = await jobs.progress(job.id, "t")
    assert finished is not None and finished.paused is None and finished.job.done == ITEMS
