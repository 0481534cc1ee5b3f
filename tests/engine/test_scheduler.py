"""The scheduler over a backend whose timing the test controls (the model path itself is tested in
tests/models, tests/test_gazette.py and tests/api)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import pytest

from service.engine.outcomes import BackendFailed, Overloaded, QueueTimeout, ShuttingDown
from service.engine.pending import Flow, Priority
from service.engine.scheduler import BatchLimits, QueueItem, Scheduler
from service.engine.thread import ModelThread
from service.engine.throughput import work_of
from service.models.backend import Generation, ModelInfo, Source

T = TypeVar("T")


class GatedBackend:
    """Upper-cases its inputs and records each batch; each batch waits for the gate (open by default)
    and can be told to take a fixed time or to fail."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.delay = delay
        self.fail = fail
        self.gate = threading.Event()
        self.gate.set()
        self.started = threading.Event()  # set when a batch has entered generate

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(model="fake", engine="fake", task="translate", source="built")

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.batches.append([source.text for source in sources])
        self.started.set()
        self.gate.wait(10)
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("CUDA out of memory (simulated)")
        return [Generation(source.text.upper(), len(source.text)) for source in sources]


def items(*texts: str) -> list[QueueItem]:
    return [QueueItem(Source(text), len(text)) for text in texts]


def texts(generations: Sequence[Generation]) -> list[str]:
    return [generation.text for generation in generations]


def make(
    backend: GatedBackend, observer: Callable[[int, int, float], None] | None = None, **limits: float
) -> Scheduler:
    options = {"max_queue": 100, "max_batch_tokens": 1000, "max_batch_size": 4, "linger": 0.0} | limits
    return Scheduler(backend, ModelThread(), BatchLimits(**options), observer)  # type: ignore[arg-type]


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(scenario(), 20))


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.005)


async def stalled(backend: GatedBackend, scheduler: Scheduler) -> asyncio.Task[list[Generation]]:
    """A first batch (one item, "x") that sits inside the backend until the gate opens."""
    backend.gate.clear()
    first = asyncio.create_task(scheduler.run(items("x"), timeout=10))
    await until(backend.started.is_set)
    return first


def test_outputs_come_back_in_request_order() -> None:
    backend = GatedBackend()

    async def scenario() -> list[Generation]:
        scheduler = make(backend)
        try:
            return await scheduler.run(items("ccc", "a", "bb"), timeout=5)
        finally:
            await scheduler.stop()

    assert texts(run(scenario)) == ["CCC", "A", "BB"]
    assert backend.batches == [["a", "bb", "ccc"]]


def test_newcomers_join_the_next_batch_not_the_end_of_a_snapshot() -> None:
    backend = GatedBackend()

    async def scenario() -> None:
        scheduler = make(backend)
        first = await stalled(backend, scheduler)
        big = asyncio.create_task(scheduler.run(items(*[f"d{i}" for i in range(12)]), timeout=10))
        await until(lambda: scheduler.depth == 13)
        small = asyncio.create_task(scheduler.run(items("one"), timeout=10))
        await until(lambda: scheduler.depth == 14)
        backend.gate.set()
        await asyncio.gather(first, big, small)
        await scheduler.stop()

    run(scenario)
    assert backend.batches[0] == ["x"]
    assert "one" in backend.batches[1]  # fair share: the one-sentence request does not wait for d0..d11
    assert sum(len(batch) for batch in backend.batches) == 14


def test_depth_is_exact_and_admission_refuses_exactly_past_max_queue() -> None:
    backend = GatedBackend()

    async def scenario() -> tuple[list[int], Overloaded]:
        scheduler = make(backend, max_queue=10)
        first = await stalled(backend, scheduler)  # 1 in flight
        depths = [scheduler.depth]
        nine = asyncio.create_task(scheduler.run(items(*[f"s{i}" for i in range(9)]), timeout=10))
        await until(lambda: scheduler.depth == 10)
        depths.append(scheduler.depth)
        with pytest.raises(Overloaded) as refused:
            await scheduler.run(items("one too many"), timeout=10)
        depths.append(scheduler.depth)
        backend.gate.set()
        await asyncio.gather(first, nine)
        depths.append(scheduler.depth)
        await scheduler.stop()
        return depths, refused.value

    depths, refused = run(scenario)
    assert depths == [1, 10, 10, 0]
    assert refused.retry_after >= 1


def test_retry_after_comes_from_measured_throughput() -> None:
    backend = GatedBackend(delay=0.4)

    async def scenario() -> int:
        scheduler = make(backend, max_batch_size=4, max_queue=40)
        await scheduler.run(items("a", "b", "c", "d"), timeout=10)  # 4 items in ~0.4 s: ~10 a second
        backend.gate.clear()
        held = asyncio.create_task(scheduler.run(items(*[f"w{i}" for i in range(30)]), timeout=30))
        await until(lambda: scheduler.depth == 30)
        with pytest.raises(Overloaded) as refused:
            await scheduler.run(items(*[f"x{i}" for i in range(21)]), timeout=10)
        backend.gate.set()
        await held
        await scheduler.stop()
        return refused.value.retry_after

    # 21 more fit once 11 have left the line: three batches of 4 at ~0.4 s each (not all 30 waiting: the
    # line has room well before it is empty).
    assert run(scenario) in (2, 3)


def test_interactive_work_overtakes_bulk_work_that_came_first() -> None:
    backend = GatedBackend()

    async def scenario() -> None:
        scheduler = make(backend, max_batch_size=2)
        first = await stalled(backend, scheduler)
        job = asyncio.create_task(
            scheduler.run(items(*[f"job{i}" for i in range(6)]), timeout=10, flow=Flow("job", Priority.BULK))
        )
        await until(lambda: scheduler.depth == 7)
        person = asyncio.create_task(scheduler.run(items("hi"), timeout=10, flow=Flow("web")))
        await until(lambda: scheduler.depth == 8)
        backend.gate.set()
        await asyncio.gather(first, job, person)
        await scheduler.stop()

    run(scenario)
    assert backend.batches[1][0] == "hi"  # right after the batch that was running


def test_a_fault_in_the_worker_reaches_its_callers_and_the_worker_restarts() -> None:
    backend = GatedBackend()
    faults = ["metrics exporter crashed"]

    def observer(size: int, tokens: int, seconds: float) -> None:
        if faults:
            raise RuntimeError(faults.pop())

    async def scenario() -> tuple[BaseException | list[Generation], list[Generation], int]:
        scheduler = make(backend, observer=observer)
        failed = await asyncio.gather(scheduler.run(items("a"), timeout=5), return_exceptions=True)
        later = await scheduler.run(items("b"), timeout=5)
        restarts = scheduler.restarts
        await scheduler.stop()
        return failed[0], later, restarts

    failed, later, restarts = run(scenario)
    assert isinstance(failed, BackendFailed) and "metrics exporter crashed" in str(failed)
    assert texts(later) == ["B"]
    assert restarts == 1


def test_stop_answers_every_pending_and_in_flight_caller_and_takes_nothing_more() -> None:
    backend = GatedBackend()

    async def scenario() -> list[BaseException | list[Generation]]:
        scheduler = make(backend)
        first = await stalled(backend, scheduler)
        rest = [asyncio.create_task(scheduler.run(items(f"p{i}"), timeout=10)) for i in range(3)]
        await until(lambda: scheduler.depth == 4)
        await scheduler.stop()
        outcome = await asyncio.gather(first, *rest, return_exceptions=True)
        with pytest.raises(ShuttingDown):
            await scheduler.run(items("late"), timeout=1)
        backend.gate.set()
        return outcome

    assert all(isinstance(result, ShuttingDown) for result in run(scenario))


def test_a_timeout_frees_its_pending_places_at_once() -> None:
    backend = GatedBackend()

    async def scenario() -> int:
        scheduler = make(backend)
        first = await stalled(backend, scheduler)
        with pytest.raises(QueueTimeout):
            await scheduler.run(items("late", "later"), timeout=0.1)
        depth_after_timeout = scheduler.depth
        backend.gate.set()
        await first
        await scheduler.stop()
        return depth_after_timeout

    assert run(scenario) == 1  # only the item being generated remains
    assert ["late", "later"] not in backend.batches


def test_a_caller_that_goes_away_frees_its_places_at_once() -> None:
    backend = GatedBackend()

    async def scenario() -> tuple[int, int]:
        scheduler = make(backend)
        first = await stalled(backend, scheduler)
        gone = asyncio.create_task(scheduler.run(items("bye", "bye2", "bye3"), timeout=10))
        await until(lambda: scheduler.depth == 4)
        gone.cancel()  # what a disconnect or a failing sibling document does
        await asyncio.gather(gone, return_exceptions=True)
        depth = scheduler.depth
        backend.gate.set()
        await first
        await scheduler.stop()
        return depth, sum(len(batch) for batch in backend.batches)

    assert run(scenario) == (1, 1)


def test_a_backend_error_reaches_every_waiting_caller_and_the_next_batch_works() -> None:
    backend = GatedBackend(fail=True)

    async def scenario() -> tuple[list[BaseException | list[Generation]], list[Generation]]:
        scheduler = make(backend)
        calls = [scheduler.run(items(f"t{i}"), timeout=5) for i in range(4)]
        outcome = await asyncio.gather(*calls, return_exceptions=True)
        backend.fail = False
        after = await scheduler.run(items("b"), timeout=5)
        await scheduler.stop()
        return outcome, after

    outcome, after = run(scenario)
    assert all(isinstance(result, BackendFailed) and "out of memory" in str(result) for result in outcome)
    assert texts(after) == ["B"]


def test_callers_coming_back_after_a_batch_fill_the_next_one_together() -> None:
    backend = GatedBackend(delay=0.3)

    async def client(scheduler: Scheduler, name: str) -> None:
        for round_ in range(3):
            await scheduler.run(items(f"{name}{round_}"), timeout=10)

    async def scenario() -> None:
        scheduler = make(backend, max_batch_size=4, linger=0.05)
        await asyncio.gather(*(client(scheduler, name) for name in "abcd"))
        await scheduler.stop()

    run(scenario)
    assert [len(batch) for batch in backend.batches] == [4, 4, 4]


def test_an_empty_request_needs_no_model() -> None:
    backend = GatedBackend()
    assert run(lambda: make(backend).run([], timeout=1)) == []
    assert backend.batches == []


def seconds_for(scheduler: Scheduler, texts: Sequence[str]) -> float:
    """What the scheduler expects `texts` to take at the rate it measured: the tests below set their
    timeouts from it, so that a slower machine changes every figure alike."""
    needed = scheduler.throughput.seconds_for(work_of(len(text) for text in texts))
    assert needed is not None
    return needed


def test_a_request_admitted_earlier_goes_first_again_before_newcomers_make_it_miss_its_deadline() -> None:
    """A 40-item document admitted on an idle model with three times its own time to live; then 16
    callers of one-line requests share the batches of 8 with it. In fair turns it would get one item a
    batch and need 33 batches, five times its own time; it goes first once its work needs half of what is
    left, and is answered in time. The rate is measured under the same stream of requests first."""
    backend = GatedBackend(delay=0.1)
    document = [f"d{i:02}" for i in range(40)]

    async def lines(scheduler: Scheduler, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await scheduler.run(items("l"), timeout=60, flow=Flow(f"line-{time.monotonic()}"))

    async def stream(scheduler: Scheduler, stop: asyncio.Event) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(lines(scheduler, stop)) for _ in range(16)]

    async def scenario() -> None:
        scheduler = make(backend, max_batch_size=8)
        warming = asyncio.Event()
        feeders = await stream(scheduler, warming)
        await until(lambda: len(backend.batches) >= 6)
        warming.set()
        await asyncio.gather(*feeders)
        allowed = 3 * seconds_for(scheduler, document)
        flow = Flow("document", deadline=time.monotonic() + allowed)
        answer = asyncio.create_task(scheduler.run(items(*document), timeout=allowed, flow=flow))
        await until(lambda: scheduler.depth == 40)
        stop = asyncio.Event()
        feeders = await stream(scheduler, stop)
        assert len(await answer) == 40
        stop.set()
        await asyncio.gather(*feeders)
        await scheduler.stop()

    run(scenario)
    first_shared = next(n for n, batch in enumerate(backend.batches) if "d00" in batch) + 1
    assert backend.batches[first_shared].count("l") >= 4  # it did take turns at first


def test_behind_other_work_a_request_is_admitted_only_with_room_to_spare() -> None:
    """Alone, a request is admitted when its own work fits its time; behind other work, only when that
    work and its own fit in half of it (requests after it will share the model with it)."""
    backend = GatedBackend(delay=0.1)
    request = [str(n) for n in range(40)]

    async def scenario() -> None:
        scheduler = make(backend, max_batch_size=4)
        await scheduler.run(items(*"abcdefgh"), timeout=60)  # the rate, measured
        allowed = 1.5 * seconds_for(scheduler, request)
        backend.started.clear()
        first = await stalled(backend, scheduler)
        with pytest.raises(Overloaded):
            await scheduler.run(items(*request), timeout=allowed)
        assert scheduler.depth == 1  # nothing of it was queued
        backend.gate.set()
        await first
        allowed = 1.5 * seconds_for(scheduler, request)
        assert len(await scheduler.run(items(*request), timeout=allowed)) == 40
        await scheduler.stop()

    run(scenario)


def test_a_long_request_is_refused_while_many_requests_share_the_model() -> None:
    """In turns with 7 other requests, a 10-item request takes about 8 times its own time: past half of
    12 times its own time, though the work queued ahead of it is small; behind one request, it is admitted."""
    backend = GatedBackend(delay=0.1)
    request = [str(n) for n in range(10)]

    async def scenario() -> None:
        scheduler = make(backend, max_batch_size=4)
        await scheduler.run(items(*"abcdefgh"), timeout=60)  # the rate, measured
        backend.started.clear()
        first = await stalled(backend, scheduler)
        others = [
            asyncio.create_task(scheduler.run(items(f"o{n}"), timeout=60, flow=Flow(f"other-{n}")))
            for n in range(6)
        ]
        await until(lambda: scheduler.depth == 7)
        with pytest.raises(Overloaded):
            await scheduler.run(items(*request), timeout=12 * seconds_for(scheduler, request))
        backend.gate.set()
        await asyncio.gather(first, *others)
        backend.gate.clear()
        backend.started.clear()
        second = await stalled(backend, scheduler)
        allowed = 12 * seconds_for(scheduler, request)
        admitted = asyncio.create_task(scheduler.run(items(*request), timeout=allowed))
        await until(lambda: scheduler.depth == 11)
        backend.gate.set()
        assert len(await admitted) == 10
        await second
        await scheduler.stop()

    run(scenario)
