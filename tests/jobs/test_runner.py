"""The job runner over a fake engine: order, bounded concurrency, failures, resume, cancel, shutdown.

The engine is faked here only to test the runner's own logic; the end-to-end tests in tests/api run
jobs through the real engine and model.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Collection, Coroutine, Sequence
from pathlib import Path
from typing import Any

import pytest

from service.engine.outcomes import BackendFailed, Overloaded, ShuttingDown
from service.engine.pending import Priority
from service.jobs.records import ItemInput
from service.jobs.runner import JobRunner
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.models.backend import ModelUnavailable
from service.pipeline.summarize import SummarizedDocument, SummarizeJob
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument, TranslatedSegment


class FakeEngine:
    """Translates by upper-casing; records what it saw; can be made to fail, stall or shut down."""

    def __init__(self, fail: Collection[str] = (), stop_on: str | None = None, delay: float = 0.0) -> None:
        self.seen: list[str] = []
        self.priorities: list[Priority] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.fail = fail
        self.stop_on = stop_on
        self.delay = delay
        self.release = asyncio.Event()

    async def translate(
        self, jobs: Sequence[TranslateJob], *, priority: Priority = Priority.INTERACTIVE, **who: object
    ) -> list[TranslatedDocument]:
        [job] = jobs
        self.seen.append(job.text)
        self.priorities.append(priority)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            if job.text == self.stop_on:
                raise ShuttingDown("the engine is stopping")
            if job.text in self.fail:
                raise ValueError(f"cannot translate {job.text}")
            segment = TranslatedSegment("p1.s1", 1, job.text, job.text, job.text.upper())
            return [TranslatedDocument("zh", 1.0, job.text.upper(), (segment,))]
        finally:
            self.in_flight -= 1

    async def summarize(
        self, jobs: Sequence[SummarizeJob], *, priority: Priority = Priority.INTERACTIVE, **who: object
    ) -> list[SummarizedDocument]:
        raise NotImplementedError


def in_loop(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test in its own event loop, 20 s at most (the suite has no asyncio plugin)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(test(*args, **kwargs), 20))

    return run


def _items(count: int) -> list[ItemInput]:
    return [ItemInput(f"i{n}", f"item {n}") for n in range(count)]


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / "jobs.sqlite3")


@in_loop
async def test_every_item_is_run_once_at_bulk_priority_within_the_concurrency(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(10))
    engine = FakeEngine(delay=0.01)
    await JobRunner(store, engine, concurrency=3).run_job(job.id)
    assert sorted(engine.seen) == sorted(f"item {n}" for n in range(10))
    assert set(engine.priorities) == {Priority.BULK}
    assert engine.most_in_flight == 3
    done = store.get(job.id)
    assert done is not None and (done.state, done.done) == ("done", 10)
    assert [record["translation"] for _, record in store.records(job.id)] == [f"ITEM {n}" for n in range(10)]


@in_loop
async def test_a_failing_item_is_recorded_and_the_job_goes_on(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(3))
    await JobRunner(store, FakeEngine(fail={"item 1"}), concurrency=2).run_job(job.id)
    done = store.get(job.id)
    assert done is not None and (done.state, done.done, done.failed) == ("done", 2, 1)
    records = dict(store.records(job.id))
    assert records[1]["error"] == "cannot translate item 1"
    assert records[1]["translation"] is None


@in_loop
async def test_a_resumed_job_runs_only_what_was_not_recorded(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(6))
    for position in (0, 1, 3):
        store.record(job.id, position, {"id": f"i{position}", "error": None})
    engine = FakeEngine()
    await JobRunner(store, engine, concurrency=4).run_job(job.id)
    assert sorted(engine.seen) == ["item 2", "item 4", "item 5"]


@in_loop
async def test_an_engine_shutting_down_leaves_the_job_unfinished_to_resume(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(4))
    with pytest.raises(ShuttingDown):
        await JobRunner(store, FakeEngine(stop_on="item 2"), concurrency=1).run_job(job.id)
    stopped = store.get(job.id)
    assert stopped is not None and (stopped.state, stopped.done) == ("running", 2)
    engine = FakeEngine()
    await JobRunner(store, engine, concurrency=2).run_job(job.id)
    assert engine.seen == ["item 2", "item 3"]
    assert store.get(job.id).state == "done"  # type: ignore[union-attr]


@in_loop
async def test_cancel_lets_items_in_flight_finish_and_runs_no_more(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(20))
    engine = FakeEngine(delay=0.05)
    running = asyncio.create_task(JobRunner(store, engine, concurrency=2).run_job(job.id))
    while len(engine.seen) < 3:
        await asyncio.sleep(0.01)
    store.cancel(job.id)
    await running
    cancelled = store.get(job.id)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert cancelled.done == len(engine.seen) < 20
    assert cancelled.done + cancelled.cancelled == 20


@in_loop
async def test_the_loop_runs_stored_jobs_in_order_and_wakes_for_new_ones(store: JobStore) -> None:
    first, _ = store.create("t", JobOptions(), [ItemInput("a", "first")])
    second, _ = store.create("t", JobOptions(), [ItemInput("b", "second")])
    engine = FakeEngine()
    runner = JobRunner(store, engine, concurrency=4)
    loop = asyncio.create_task(runner.run_forever())
    try:
        while len(engine.seen) < 2:
            await asyncio.sleep(0.01)
        assert engine.seen == ["first", "second"]
        third, _ = store.create("t", JobOptions(), [ItemInput("c", "third")])
        runner.wake()
        async with asyncio.timeout(5):
            while store.get(third.id).state != "done":  # type: ignore[union-attr]
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
    assert [store.get(j.id).state for j in (first, second)] == ["done", "done"]  # type: ignore[union-attr]


class NoModelFor(FakeEngine):
    """Has no model for one item's language, and is overloaded once."""

    def __init__(self) -> None:
        super().__init__()
        self.overloaded_once = False

    async def translate(
        self, jobs: Sequence[TranslateJob], *, priority: Priority = Priority.INTERACTIVE, **who: object
    ) -> list[TranslatedDocument]:
        if jobs[0].text == "item 1":
            raise ModelUnavailable("no model for Klingon here")
        if jobs[0].text == "item 2" and not self.overloaded_once:
            self.overloaded_once = True
            raise Overloaded(4096, 1)
        return await super().translate(jobs, priority=priority, **who)  # type: ignore[arg-type]


@in_loop
async def test_no_model_for_an_item_is_its_error_and_a_full_line_is_waited_out(store: JobStore) -> None:
    job, _ = store.create("t", JobOptions(), _items(4))
    engine = NoModelFor()
    with pytest.raises(Overloaded):  # the engine could not take item 2 now: the job pauses, unfinished
        await JobRunner(store, engine, concurrency=1).run_job(job.id)
    await JobRunner(store, engine, concurrency=1).run_job(job.id)
    done = store.get(job.id)
    assert done is not None and (done.state, done.done, done.failed) == ("done", 3, 1)
    assert dict(store.records(job.id))[1]["error"] == "no model for Klingon here"


@in_loop
async def test_tenants_are_served_in_turn(store: JobStore) -> None:
    """Another tenant's one-item job, stored while a 200-item job runs, is done long before that job."""
    long_job, _ = store.create("a", JobOptions(), _items(200))
    engine = FakeEngine(delay=0.01)
    runner = JobRunner(store, engine, concurrency=2)
    loop = asyncio.create_task(runner.run_forever())
    try:
        while len(engine.seen) < 10:
            await asyncio.sleep(0.01)
        short_job, _ = store.create("b", JobOptions(), [ItemInput("x", "one file")])
        runner.wake()
        async with asyncio.timeout(10):
            while store.get(short_job.id).state != "done":  # type: ignore[union-attr]
                await asyncio.sleep(0.01)
        running = store.get(long_job.id)
        assert running is not None and running.state == "running" and running.done < 50
        # The tenants share the concurrency: over it only by the new lane's share (1) while the other drains.
        assert engine.most_in_flight <= 3
        async with asyncio.timeout(15):
            while store.get(long_job.id).state != "done":  # type: ignore[union-attr]
                await asyncio.sleep(0.02)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)


class FailsFirst(FakeEngine):
    """The model fails (a crashed backend, out of memory) the first `times` tries of each item."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times
        self.tries: dict[str, int] = {}

    async def translate(
        self, jobs: Sequence[TranslateJob], *, priority: Priority = Priority.INTERACTIVE, **who: object
    ) -> list[TranslatedDocument]:
        self.tries[jobs[0].text] = self.tries.get(jobs[0].text, 0) + 1
        if self.tries[jobs[0].text] <= self.times:
            raise BackendFailed("the model failed: MemoryError")
        return await super().translate(jobs, priority=priority, **who)  # type: ignore[arg-type]


@in_loop
async def test_a_transient_model_fault_is_tried_again_before_the_item_fails(store: JobStore) -> None:
    recovers, _ = store.create("t", JobOptions(), _items(2))
    await JobRunner(store, FailsFirst(2), concurrency=2, retry_delays=(0.01, 0.02)).run_job(recovers.id)
    done = store.get(recovers.id)
    assert done is not None and (done.done, done.failed) == (2, 0)  # third try each
    stays, _ = store.create("t", JobOptions(), _items(1))
    engine = FailsFirst(3)
    await JobRunner(store, engine, concurrency=1, retry_delays=(0.01, 0.02)).run_job(stays.id)
    failed = store.get(stays.id)
    assert failed is not None and (failed.done, failed.failed, engine.tries["item 0"]) == (0, 1, 3)
    assert "MemoryError" in dict(store.records(stays.id))[0]["error"]
