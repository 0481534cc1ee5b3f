"""The scheduler driving an engine that batches continuously (the protocol llama.cpp's backend has),
over a fake engine whose steps the test counts; the real engine is tested in tests/models/test_llamacpp.py."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Hashable, Sequence

import pytest

from service.engine.outcomes import BackendFailed, QueueTimeout, TooMuchWork
from service.engine.pending import Flow, Priority
from service.engine.scheduler import BatchLimits, QueueItem, Scheduler, new_flow
from service.engine.thread import ModelThread
from service.models.backend import Generation, ModelInfo, Source, SteppingBackend, StepResult
from tests.engine.test_scheduler import run, until


class CountingEngine:
    """Each item takes as many steps as its text has characters; its output is the text upper-cased.

    Records what each step admitted and dropped. A text containing "!" makes that item fail alone;
    `fail_next` makes the next step fail as a whole; `gate` (open by default) holds every step.
    """

    def __init__(self, slots: int = 2, step_seconds: float = 0.002) -> None:
        self.slots = slots
        self.step_seconds = step_seconds
        self.held: dict[Hashable, list[object]] = {}  # key -> [source, steps left]
        self.admitted: list[list[str]] = []
        self.cancelled: list[Hashable] = []
        self.fail_next = False
        self.gate = threading.Event()
        self.gate.set()

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(model="counting", engine="fake", task="translate", source="built")

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        raise AssertionError("a stepping engine is stepped, never given whole batches")

    def step(self, admit: Sequence[tuple[Hashable, Source]], cancel: Sequence[Hashable]) -> StepResult:
        self.gate.wait(10)
        time.sleep(self.step_seconds)
        assert len(self.held) - len(cancel) + len(admit) <= self.slots, "admitted beyond the free slots"
        for key in cancel:
            self.cancelled.append(key)
            del self.held[key]
        if self.fail_next:
            self.fail_next = False
            self.held.clear()
            raise RuntimeError("llama_decode failed (simulated)")
        self.admitted.append([source.text for _, source in admit])
        for key, source in admit:
            self.held[key] = [source, len(source.text)]
        finished: StepResult = []
        for key, entry in list(self.held.items()):
            source = entry[0]
            assert isinstance(source, Source)
            if "!" in source.text:
                finished.append((key, ValueError("a prompt too long for this model")))
                del self.held[key]
                continue
            entry[1] = int(str(entry[1])) - 1
            if entry[1] == 0:
                finished.append((key, Generation(source.text.upper(), len(source.text))))
                del self.held[key]
        return finished


def make(engine: CountingEngine, **limits: float) -> Scheduler:
    options = {"max_queue": 100, "max_batch_tokens": 1000, "max_batch_size": 4, "linger": 0.0} | limits
    return Scheduler(engine, ModelThread(), BatchLimits(**options))  # type: ignore[arg-type]


def texts_of(outputs: Sequence[Generation]) -> list[str]:
    return [output.text for output in outputs]


def items(*texts: str) -> list[QueueItem]:
    return [QueueItem(Source(text), len(text)) for text in texts]


def test_the_counting_engine_is_a_stepping_backend() -> None:
    assert isinstance(CountingEngine(), SteppingBackend)


def test_an_item_joins_as_soon_as_another_leaves_and_is_answered_before_the_long_one() -> None:
    engine = CountingEngine(slots=2)

    async def scenario() -> list[str]:
        scheduler = make(engine)
        order: list[str] = []

        async def ask(text: str) -> None:
            outputs = await scheduler.run(items(text), timeout=10)
            order.append(outputs[0].text)

        await asyncio.gather(ask("a" * 30), ask("bb"), ask("ccc"))
        await scheduler.stop()
        return order

    order = run(scenario)
    # Two slots: the third item waited for the short one, not for the long one, and finished first.
    assert order == ["BB", "CCC", "A" * 30]
    assert engine.admitted[0] == ["a" * 30, "bb"]
    assert ["ccc"] in engine.admitted[1:4]


def test_a_caller_that_gives_up_frees_its_slot_at_the_next_step() -> None:
    engine = CountingEngine(slots=1)

    async def scenario() -> str:
        scheduler = make(engine)
        with pytest.raises(QueueTimeout):
            await scheduler.run(items("x" * 10_000), timeout=0.2)
        # The abandoned item leaves the engine; the next caller gets the slot and its answer.
        outputs = await scheduler.run(items("next"), timeout=10)
        await scheduler.stop()
        return outputs[0].text

    assert run(scenario) == "NEXT"
    assert len(engine.cancelled) == 1


def test_a_failed_step_reaches_every_caller_it_held_and_the_engine_goes_on() -> None:
    engine = CountingEngine(slots=3)

    async def scenario() -> tuple[list[BaseException | list[Generation]], str]:
        scheduler = make(engine)
        engine.gate.clear()
        calls = [asyncio.create_task(scheduler.run(items(t), timeout=10)) for t in ("aaaa", "bbbb", "cccc")]
        await until(lambda: scheduler.depth == 3)
        engine.fail_next = True
        engine.gate.set()
        results = await asyncio.gather(*calls, return_exceptions=True)
        after = await scheduler.run(items("ok"), timeout=10)
        await scheduler.stop()
        return results, after[0].text

    results, after = run(scenario)
    assert all(isinstance(result, BackendFailed) for result in results), results
    assert after == "OK"


def test_an_item_that_fails_alone_fails_only_its_caller() -> None:
    engine = CountingEngine(slots=2)

    async def scenario() -> tuple[BaseException | list[Generation], ...]:
        scheduler = make(engine)
        bad = scheduler.run(items("too long!"), timeout=10)
        good = scheduler.run(items("fine"), timeout=10)
        results = await asyncio.gather(bad, good, return_exceptions=True)
        await scheduler.stop()
        return tuple(results)

    bad, good = run(scenario)
    assert isinstance(bad, BackendFailed) and "too long" in str(bad)
    assert isinstance(good, list) and good[0].text == "FINE"


def test_a_freed_slot_goes_to_interactive_work_before_bulk_work_that_waited_longer() -> None:
    engine = CountingEngine(slots=1)

    async def scenario() -> list[list[str]]:
        scheduler = make(engine)
        engine.gate.clear()
        first = asyncio.create_task(scheduler.run(items("first"), timeout=10))
        await until(lambda: scheduler.depth == 1)
        bulk = asyncio.create_task(scheduler.run(items("bulk"), 10, Flow("job", Priority.BULK)))
        await until(lambda: scheduler.depth == 2)
        person = asyncio.create_task(scheduler.run(items("person"), timeout=10))
        await until(lambda: scheduler.depth == 3)
        engine.gate.set()
        await asyncio.gather(first, bulk, person)
        await scheduler.stop()
        return [admitted for admitted in engine.admitted if admitted]

    assert run(scenario) == [["first"], ["person"], ["bulk"]]


def test_work_that_cannot_finish_in_time_is_refused_before_it_runs() -> None:
    engine = CountingEngine(slots=4)

    async def scenario() -> tuple[str, int]:
        scheduler = make(engine, max_queue=100_000)
        await scheduler.run(items(*["abcdefgh"] * 8), timeout=10)  # measures the rate
        per_second = scheduler.throughput.items_per_second()
        assert per_second is not None
        steps_before = len(engine.admitted)
        # Far more than a second's worth of work, for a request with a second to live.
        with pytest.raises(TooMuchWork) as refused:
            await scheduler.run(items(*["abcdefgh"] * int(per_second * 3)), 10, new_flow(within=1.0))
        refused_steps = len(engine.admitted) - steps_before
        await scheduler.stop()
        return str(refused.value), refused_steps

    message, steps = run(scenario)
    assert "POST /v1/jobs" in message
    assert steps == 0  # nothing of it reached the engine


def test_bulk_work_is_never_refused_for_time() -> None:
    engine = CountingEngine(slots=4)

    async def scenario() -> int:
        scheduler = make(engine)
        await scheduler.run(items(*["abcd"] * 8), timeout=10)
        outputs = await scheduler.run(items(*["abcd"] * 40), 10, Flow("eval", Priority.BULK, None))
        await scheduler.stop()
        return len(outputs)

    assert run(scenario) == 40


def test_a_request_under_way_is_never_refused_for_time_only_timed_out() -> None:
    engine = CountingEngine(slots=4)

    async def scenario() -> type[BaseException]:
        scheduler = make(engine, max_queue=100_000)
        await scheduler.run(items(*["abcdefgh"] * 8), timeout=10)
        per_second = scheduler.throughput.items_per_second()
        assert per_second is not None
        flow = new_flow(within=0.5)
        await scheduler.run(items("ab"), 10, flow)  # the request's first work: judged, admitted
        # Its next work (a retry, its summary) would take seconds: it runs, and times out at the deadline.
        with pytest.raises((QueueTimeout, TooMuchWork)) as outcome:
            await scheduler.run(items(*["abcdefgh"] * int(per_second * 3)), 10, flow, judged=False)
        await scheduler.stop()
        return outcome.type

    assert run(scenario) is QueueTimeout


def test_a_timed_out_request_leaves_no_unretrieved_errors_behind(caplog: pytest.LogCaptureFixture) -> None:
    engine = CountingEngine(slots=2)

    async def scenario() -> None:
        scheduler = make(engine)
        with pytest.raises(QueueTimeout):
            await scheduler.run(items("x" * 5_000, "y" * 5_000), timeout=0.1)
        # The step that drops the abandoned items fails: an error with no one left to hear it.
        engine.fail_next = True
        await until(lambda: not engine.fail_next)
        assert texts_of(await scheduler.run(items("after"), timeout=10)) == ["AFTER"]
        await scheduler.stop()

    run(scenario)
    gc.collect()
    assert "never retrieved" not in caplog.text


def test_a_readers_top_segment_goes_in_alone_and_nothing_joins_it_until_it_is_done() -> None:
    """A streamed document (ranked items, interactive): its first segment runs on its own, so that its
    words come at one sequence's speed; then the engine fills up again. A job's first item does not."""
    engine = CountingEngine(slots=4)

    async def scenario(priority: Priority) -> None:
        scheduler = make(engine)
        ranked = [
            QueueItem(Source(text), len(text), rank) for rank, text in enumerate(["top", "b", "c", "d"])
        ]
        await scheduler.run(ranked, timeout=10, flow=Flow("doc", priority))
        await scheduler.stop()

    run(lambda: scenario(Priority.INTERACTIVE))
    assert engine.admitted[0] == ["top"]
    assert engine.admitted[1:3] == [[], []]  # three steps for "top": nothing joined it
    assert engine.admitted[3] == ["b", "c", "d"]
    engine.admitted.clear()
    run(lambda: scenario(Priority.BULK))
    assert engine.admitted[0] == ["top", "b", "c", "d"]
