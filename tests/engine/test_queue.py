"""The batch queue, over a fake backend (the model path itself is tested in tests/models and tests/api)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.engine.queue import BackendFailed, BatchQueue, Overloaded, QueueItem, QueueTimeout, plan_batches
from service.models.backend import Generation, ModelInfo, Source


class RecordingBackend:
    """Upper-cases its inputs, records each batch, and can be told to stall or fail."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.delay = delay
        self.fail = fail
        self.release = threading.Event()
        self.release.set()

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(model="fake", engine="fake", task="translate", source="built")

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.release.wait(5)
        time.sleep(self.delay)
        self.batches.append([source.text for source in sources])
        if self.fail:
            raise RuntimeError("CUDA out of memory (simulated)")
        return [Generation(source.text.upper(), len(source.text)) for source in sources]


def items(*texts: str) -> list[QueueItem]:
    return [QueueItem(Source(text), len(text)) for text in texts]


def texts(generations: Sequence[Generation] | BaseException) -> list[str]:
    assert not isinstance(generations, BaseException)
    return [generation.text for generation in generations]


def make_queue(backend: RecordingBackend, **limits: int) -> BatchQueue:
    options = {"max_queue": 100, "max_batch_tokens": 1000, "max_batch_size": 8, **limits}
    return BatchQueue(backend, ThreadPoolExecutor(1), **options)


def test_plan_batches_sorts_by_length_and_respects_the_padded_budget() -> None:
    planned = plan_batches(items("aaaa", "a", "aaaaaaaaaa", "aa", "aaa"), max_tokens=8, max_size=3)
    assert planned == [[1, 3], [4, 0], [2]]
    assert plan_batches(items("a", "b", "c"), max_tokens=100, max_size=2) == [[0, 1], [2]]


def test_outputs_come_back_in_request_order() -> None:
    backend = RecordingBackend()

    async def scenario() -> list[Generation]:
        queue = make_queue(backend)
        try:
            return await queue.run(items("ccc", "a", "bb"), timeout=5)
        finally:
            await queue.stop()

    assert texts(asyncio.run(scenario())) == ["CCC", "A", "BB"]
    assert backend.batches == [["a", "bb", "ccc"]]


def test_concurrent_requests_share_micro_batches() -> None:
    backend = RecordingBackend()
    backend.release.clear()

    async def scenario() -> list[list[str]]:
        queue = make_queue(backend, max_batch_size=4)
        first = asyncio.create_task(queue.run(items("x"), timeout=5))
        await asyncio.sleep(0.05)  # the first batch is now stalled inside the backend
        rest = [asyncio.create_task(queue.run(items(f"r{i}", f"s{i}"), timeout=5)) for i in range(3)]
        await asyncio.sleep(0.05)
        backend.release.set()
        results = [texts(await first)] + [texts(await task) for task in rest]
        await queue.stop()
        return results

    results = asyncio.run(scenario())
    assert results == [["X"], ["R0", "S0"], ["R1", "S1"], ["R2", "S2"]]
    assert [len(batch) for batch in backend.batches] == [1, 4, 2]


def test_a_full_queue_refuses_at_once_with_retry_after() -> None:
    backend = RecordingBackend()
    backend.release.clear()

    async def scenario() -> Overloaded:
        queue = make_queue(backend, max_queue=3)
        waiting = asyncio.create_task(queue.run(items("a", "b"), timeout=5))
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded) as refused:
            await queue.run(items("c", "d"), timeout=5)
        backend.release.set()
        assert texts(await waiting) == ["A", "B"]
        await queue.stop()
        return refused.value

    assert asyncio.run(scenario()).retry_after >= 1


def test_a_slow_model_times_out_and_frees_its_places() -> None:
    backend = RecordingBackend()
    backend.release.clear()

    async def scenario() -> int:
        queue = make_queue(backend)
        blocker = asyncio.create_task(queue.run(items("slow"), timeout=5))
        await asyncio.sleep(0.05)
        with pytest.raises(QueueTimeout):
            await queue.run(items("late", "later"), timeout=0.1)
        depth_after_timeout = queue.depth
        backend.release.set()
        await blocker
        await queue.stop()
        return depth_after_timeout

    assert asyncio.run(scenario()) == 1  # only the sentence being generated remains
    assert ["late", "later"] not in backend.batches


def test_a_backend_error_reaches_every_waiting_caller() -> None:
    backend = RecordingBackend(fail=True)

    async def scenario() -> list[BaseException | list[Generation]]:
        queue = make_queue(backend)
        calls = [queue.run(items(f"t{i}"), timeout=5) for i in range(4)]
        outcome = await asyncio.gather(*calls, return_exceptions=True)
        await queue.stop()
        return outcome

    outcome = asyncio.run(scenario())
    assert all(isinstance(result, BackendFailed) for result in outcome)
    assert all("out of memory" in str(result) for result in outcome)


def test_the_queue_keeps_working_after_a_backend_error() -> None:
    backend = RecordingBackend(fail=True)

    async def scenario() -> list[Generation]:
        queue = make_queue(backend)
        with pytest.raises(BackendFailed):
            await queue.run(items("a"), timeout=5)
        backend.fail = False
        result = await queue.run(items("b"), timeout=5)
        await queue.stop()
        return result

    assert texts(asyncio.run(scenario())) == ["B"]


def test_an_empty_request_needs_no_model() -> None:
    backend = RecordingBackend()
    assert asyncio.run(make_queue(backend).run([], timeout=1)) == []
    assert backend.batches == []
