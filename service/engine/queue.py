"""The batch queue between requests and one model backend.

Each sentence gets a future. A worker task takes everything waiting, sorts it by token length, cuts it
into micro-batches under a padded-token budget, and runs each batch on the backend in a worker thread so
the event loop stays free. The queue is bounded (a full queue refuses new work at once), each request
waits at most its timeout, and a backend error is delivered to every caller waiting on that batch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from service.models.backend import Backend, Generation, Source

log = logging.getLogger(__name__)


class Overloaded(Exception):
    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(f"{waiting} sentences are already waiting for the model; try again shortly")
        self.retry_after = retry_after


class QueueTimeout(Exception):
    pass


class BackendFailed(Exception):
    """The model raised while running a batch this request had sentences in."""


@dataclass(frozen=True)
class QueueItem:
    source: Source
    tokens: int  # input length, for length-sorted batching


@dataclass(eq=False)
class _Waiting:
    item: QueueItem
    future: asyncio.Future[Generation] = field(repr=False)


BatchObserver = Callable[[int, int, float], None]  # (sentences, padded tokens, seconds)


def plan_batches(items: Sequence[QueueItem], max_tokens: int, max_size: int) -> list[list[int]]:
    """Indices of `items` grouped into length-sorted batches whose padded size fits `max_tokens`.

    An item longer than `max_tokens` on its own still gets a batch of one: it was already cut to the
    model's input budget, and refusing it would leave a segment untranslated.
    """
    order = sorted(range(len(items)), key=lambda index: items[index].tokens)
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = items[index].tokens  # sorted ascending: the newcomer is the longest
        if current and (len(current) >= max_size or (len(current) + 1) * longest > max_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


class BatchQueue:
    def __init__(
        self,
        backend: Backend,
        executor: Executor,
        *,
        max_queue: int,
        max_batch_tokens: int,
        max_batch_size: int,
        observer: BatchObserver | None = None,
    ) -> None:
        self.backend = backend
        self._executor = executor
        self._max_queue = max_queue
        self._max_batch_tokens = max_batch_tokens
        self._max_batch_size = max_batch_size
        self._observer = observer
        self._waiting: list[_Waiting] = []
        self._in_flight = 0
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._seconds_per_sentence = 1.0

    @property
    def depth(self) -> int:
        """Sentences waiting or being generated."""
        return len(self._waiting) + self._in_flight

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run_forever(), name="batch-queue")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        for waiting in self._waiting:
            if not waiting.future.done():
                waiting.future.set_exception(BackendFailed("the service is shutting down"))
        self._waiting.clear()

    async def run(self, items: Sequence[QueueItem], timeout: float) -> list[Generation]:
        """Outputs for `items`, in order. Raises Overloaded, QueueTimeout or BackendFailed."""
        if not items:
            return []
        if self.depth + len(items) > self._max_queue:
            raise Overloaded(self.depth, self._retry_after())
        self.start()
        loop = asyncio.get_running_loop()
        entries = [_Waiting(item, loop.create_future()) for item in items]
        self._waiting.extend(entries)
        self._wakeup.set()
        gathered = asyncio.gather(*(entry.future for entry in entries))
        try:
            return list(await asyncio.wait_for(gathered, timeout))
        except TimeoutError as error:
            raise QueueTimeout(f"the model did not finish within {timeout:g} s") from error
        finally:
            # A caller that gave up (timeout, disconnect, a sibling's error) frees its places at once.
            for entry in entries:
                entry.future.cancel()  # no-op for those already done
            if any(entry.future.cancelled() for entry in entries):
                self._waiting = [entry for entry in self._waiting if not entry.future.done()]

    def _retry_after(self) -> int:
        return max(1, round(self.depth * self._seconds_per_sentence / self._max_batch_size))

    async def _run_forever(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._waiting:
                snapshot = [entry for entry in self._waiting if not entry.future.done()]
                self._waiting.clear()
                for batch in plan_batches(
                    [e.item for e in snapshot], self._max_batch_tokens, self._max_batch_size
                ):
                    await self._run_batch([snapshot[index] for index in batch])

    async def _run_batch(self, batch: list[_Waiting]) -> None:
        live = [entry for entry in batch if not entry.future.done()]
        if not live:
            return
        sources = [entry.item.source for entry in live]
        self._in_flight = len(live)
        started = time.perf_counter()
        try:
            outputs = await asyncio.get_running_loop().run_in_executor(
                self._executor, self.backend.generate, sources
            )
            if len(outputs) != len(sources):
                raise RuntimeError(f"backend returned {len(outputs)} outputs for {len(sources)} inputs")
        except Exception as error:  # every waiting caller must hear of it, whatever it is
            log.exception("backend %s failed on a batch of %d", self.backend.info.model, len(sources))
            failure = BackendFailed(f"the model failed: {type(error).__name__}: {error}")
            for entry in live:
                if not entry.future.done():
                    entry.future.set_exception(failure)
            return
        finally:
            self._in_flight = 0
        elapsed = time.perf_counter() - started
        self._seconds_per_sentence = 0.8 * self._seconds_per_sentence + 0.2 * elapsed / len(sources)
        if self._observer is not None:
            self._observer(len(sources), len(sources) * max(e.item.tokens for e in live), elapsed)
        for entry, output in zip(live, outputs, strict=True):
            if not entry.future.done():
                entry.future.set_result(output)
