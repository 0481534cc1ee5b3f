"""Issue 23: a one-line request beside a document, answers across a loop restart, every document of a
request judged, and interactive work first across the models sharing the model thread. Each test injects
the situation the fault needs and failed before its fix."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Hashable, Sequence

import pytest

from service.engine.outcomes import BackendFailed, TooMuchWork
from service.engine.pending import Flow, Priority
from service.engine.scheduler import BatchLimits, Scheduler, new_flow
from service.engine.thread import ModelThread
from service.models.backend import Generation, ModelInfo, Source, StepResult
from tests.engine.test_scheduler import items, run, texts, until


class BatchCost:
    """A batch costs `base` seconds plus `per_item` for each of its items, as a real model's does: one item
    alone is several times slower per item than a full batch. Records each batch and when it started."""

    def __init__(self, base: float, per_item: float) -> None:
        self.base, self.per_item = base, per_item
        self.batches: list[list[str]] = []

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(model="cost", engine="fake", task="translate", source="built")

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.batches.append([source.text for source in sources])
        time.sleep(self.base + self.per_item * len(sources))
        return [Generation(source.text.upper(), 1) for source in sources]


@pytest.mark.parametrize("max_queue", [4096, 300])
def test_a_one_line_request_sent_during_a_document_takes_the_next_batch(max_queue: int) -> None:
    """The issue's scenario: warm one-line calls measure a slow rate per item (a batch of one), then a
    160-sentence document, then one sentence while its first batch runs. The sentence was refused (429,
    all the document counted as waiting ahead of it at the one-item rate) or, admitted, served after the
    whole document (the document judged at risk on that rate, and kept first to its end)."""
    backend = BatchCost(base=0.2, per_item=0.01)
    document = [f"d{n:03}" for n in range(160)]

    async def scenario() -> float:
        limits = BatchLimits(max_queue=max_queue, max_batch_tokens=10_000, max_batch_size=16, linger=0.0)
        scheduler = Scheduler(backend, ModelThread(), limits)
        for _ in range(4):
            await scheduler.run(items("warm"), timeout=60)
        whole = asyncio.create_task(scheduler.run(items(*document), 60, new_flow(within=60)))
        await until(lambda: len(backend.batches) == 5)  # the document's first batch is running
        await asyncio.sleep(0.1)
        sent = time.perf_counter()
        assert texts(await scheduler.run(items("one"), 60, new_flow(within=60))) == ["ONE"]
        latency = time.perf_counter() - sent
        assert len(await whole) == 160
        await scheduler.stop()
        return latency

    latency = run(scenario)
    joined = next(n for n, batch in enumerate(backend.batches) if "one" in batch)
    assert joined == 5  # the batch right after the one running when it came
    batch = 0.2 + 0.01 * 16
    assert latency <= 2 * (batch + 0.21) + 0.5  # the bound, with room for a busy machine


class SlotEngine:
    """Holds items by the scheduler's keys as llama.cpp's backend does (a list of slots, duplicates and
    all): each takes as many steps as its text has characters, and answers upper-cased."""

    def __init__(self, slots: int = 2) -> None:
        self.slots = slots
        self.held: list[list[object]] = []  # [key, source, steps left]
        self.cancelled: list[Hashable] = []

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(model="slots", engine="fake", task="translate", source="built")

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        raise AssertionError("stepped, never given whole batches")

    def step(self, admit: Sequence[tuple[Hashable, Source]], cancel: Sequence[Hashable]) -> StepResult:
        time.sleep(0.002)
        self.cancelled += cancel
        self.held = [entry for entry in self.held if entry[0] not in set(cancel)]
        self.held += [[key, source, len(source.text)] for key, source in admit]
        finished: StepResult = []
        for entry in list(self.held):
            entry[2] = int(str(entry[2])) - 1
            if entry[2] == 0:
                source = entry[1]
                assert isinstance(source, Source)
                finished.append((entry[0], Generation(source.text.upper(), len(source.text))))
                self.held.remove(entry)
        return finished


def test_after_a_loop_restart_no_caller_gets_another_callers_answer() -> None:
    """A fault outside the engine (here the batch observer) restarts the stepping loop while the engine
    still holds an item: the item is dropped from the engine, and new items never reuse its key (before,
    keys restarted at 0 and the old item's answer reached the first new caller)."""
    engine = SlotEngine()
    faults = iter([RuntimeError("observer failed (injected)")])

    def observer(count: int, tokens: int, seconds: float) -> None:
        if (fault := next(faults, None)) is not None:
            raise fault

    async def scenario() -> tuple[list[BaseException | list[Generation]], list[str]]:
        limits = BatchLimits(max_queue=100, max_batch_tokens=1000, max_batch_size=4, linger=0.0)
        scheduler = Scheduler(engine, ModelThread(), limits, observer)  # type: ignore[arg-type]
        old = await asyncio.gather(
            scheduler.run(items("aaa"), 10), scheduler.run(items("b"), 10), return_exceptions=True
        )
        await until(lambda: scheduler.restarts == 1)
        after = await scheduler.run(items("cccccc"), 10)
        await scheduler.stop()
        return old, texts(after)

    old, after = run(scenario)
    assert all(isinstance(outcome, BackendFailed) for outcome in old)
    assert after == ["CCCCCC"]
    assert len(engine.cancelled) == 1 and not engine.held


def test_every_document_of_a_request_is_judged_not_only_its_first() -> None:
    """`{"texts": ["短。", <4,000 sentences>]}`: the documents share one flow; the second was let in at
    interactive priority unjudged, because the flow had been judged on the first. A retry (judged=False)
    is still never refused."""
    backend = BatchCost(base=0.0, per_item=0.01)

    async def scenario() -> None:
        limits = BatchLimits(max_queue=100_000, max_batch_tokens=100_000, max_batch_size=16, linger=0.0)
        scheduler = Scheduler(backend, ModelThread(), limits)
        await scheduler.run(items(*["warm"] * 16), timeout=20)
        flow = new_flow(within=2.0)
        await scheduler.run(items("short"), 2.0, flow)
        with pytest.raises(TooMuchWork):
            await scheduler.run(items(*["sentence"] * 4000), 2.0, flow)
        assert scheduler.depth == 0  # nothing of it was queued
        assert texts(await scheduler.run(items("retry"), 2.0, flow, judged=False)) == ["RETRY"]
        await scheduler.stop()

    run(scenario)


class Recorded:
    """A model on the shared thread that notes its name in `order` as each batch starts; `gate` holds it."""

    def __init__(self, name: str, order: list[str], gate: threading.Event) -> None:
        self.name, self.order, self.gate = name, order, gate
        self.started = threading.Event()

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(model=self.name, engine="fake", task="translate", source="built")

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.order.append(self.name)
        self.started.set()
        self.gate.wait(10)
        return [Generation(source.text, 1) for source in sources]


def test_interactive_work_of_one_model_goes_before_bulk_work_of_another_on_the_shared_thread() -> None:
    """Models share one thread: a bulk batch of one model submitted first waited ahead of an interactive
    batch of another (a FIFO), so interactive-before-bulk held per model only."""
    order: list[str] = []
    gate = threading.Event()
    thread = ModelThread()
    limits = BatchLimits(max_queue=100, max_batch_tokens=1000, max_batch_size=4, linger=0.0)
    busy, bulk, person = (Recorded(name, order, gate) for name in ("busy", "bulk", "person"))

    async def scenario() -> None:
        schedulers = [Scheduler(model, thread, limits) for model in (busy, bulk, person)]
        holding = asyncio.create_task(schedulers[0].run(items("x"), 10))
        await until(busy.started.is_set)
        job = asyncio.create_task(schedulers[1].run(items("j"), 10, Flow("job", Priority.BULK)))
        await asyncio.sleep(0.05)  # the bulk batch is waiting on the thread
        asked = asyncio.create_task(schedulers[2].run(items("p"), 10))
        await asyncio.sleep(0.05)
        gate.set()
        await asyncio.gather(holding, job, asked)
        for scheduler in schedulers:
            await scheduler.stop()

    run(scenario)
    assert order == ["busy", "person", "bulk"]
