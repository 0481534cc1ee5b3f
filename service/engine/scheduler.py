"""The scheduler between callers and one model backend.

Each item (a sentence, a bullet) gets a future and a ticket in `PendingWork`. One worker forms one batch
at a time from what is pending *now* (priority, fair share, token budget: see `pending.py`), runs it on
the model thread, and hands each caller its output; newcomers join the next batch. Depth is exact
(pending + in flight), admission is bounded (`Overloaded` with a Retry-After from measured throughput),
each caller waits at most its timeout and a caller that gives up frees its pending places at once. The
worker is supervised: a fault in it is delivered to the callers of the batch it held, and it restarts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from service.engine.pending import Flow, PendingWork, Priority, Ticket
from service.models.backend import Backend, Generation, Source

log = logging.getLogger(__name__)


class Overloaded(Exception):
    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(f"{waiting} sentences are already waiting for the model; try again shortly")
        self.retry_after = retry_after


class QueueTimeout(Exception):
    pass


class BackendFailed(Exception):
    """The model (or the scheduler around it) failed on a batch this caller had items in."""


class ShuttingDown(Exception):
    """The service is stopping: nothing more is taken, and what waited is answered with this."""


@dataclass(frozen=True)
class QueueItem:
    source: Source
    tokens: int  # input length, for the padded-token budget


@dataclass(frozen=True)
class BatchLimits:
    max_queue: int  # items pending or in flight, at most
    max_batch_tokens: int  # padded input tokens per batch
    max_batch_size: int
    # After a batch, wait up to this long (never more than a tenth of that batch's time) for callers
    # it just answered to come back: closed-loop clients otherwise split into a batch of 1 and the rest.
    linger: float = 0.5


BatchObserver = Callable[[int, int, float], None]  # (items, padded tokens, seconds)


def new_flow(priority: Priority = Priority.INTERACTIVE) -> Flow:
    return Flow(uuid.uuid4().hex, priority)


_Future = asyncio.Future[Generation]


class Scheduler:
    def __init__(
        self, backend: Backend, executor: Executor, limits: BatchLimits, observer: BatchObserver | None = None
    ) -> None:
        self.backend = backend
        self._executor = executor
        self._limits = limits
        self._observer = observer
        self._pending: PendingWork[tuple[QueueItem, _Future]] = PendingWork()
        self._in_flight: list[Ticket[tuple[QueueItem, _Future]]] = []
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._stopping = False
        self._rate: float | None = None  # items per second, measured over recent batches
        self._last_batch_end = 0.0
        self._last_batch_seconds = 0.0
        self._last_batch_size = 0
        self.restarts = 0  # times the worker was restarted after a fault

    @property
    def depth(self) -> int:
        """Items pending or being generated: exactly what admission counts."""
        return len(self._pending) + len(self._in_flight)

    def retry_after(self) -> int:
        """Seconds until the work ahead is done, at the measured throughput."""
        if self._rate is None:
            return max(1, self.depth)  # nothing measured yet: a guess of a second an item
        return max(1, math.ceil(self.depth / self._rate))

    def start(self) -> None:
        if self._worker is None and not self._stopping:
            self._worker = asyncio.get_running_loop().create_task(self._supervise(), name="scheduler")

    async def stop(self) -> None:
        """Take nothing more; every pending and in-flight caller hears `ShuttingDown` now."""
        self._stopping = True
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        failure = ShuttingDown("the service is shutting down")
        self._fail([*self._in_flight, *self._pending.drain()], failure)
        self._in_flight = []

    async def run(
        self, items: Sequence[QueueItem], timeout: float, flow: Flow | None = None
    ) -> list[Generation]:
        """Outputs for `items`, in order. Raises Overloaded, QueueTimeout, BackendFailed or ShuttingDown."""
        if not items:
            return []
        if self._stopping:
            raise ShuttingDown("the service is shutting down")
        if self.depth + len(items) > self._limits.max_queue:
            raise Overloaded(self.depth, self.retry_after())
        self.start()
        flow = flow or new_flow()
        loop = asyncio.get_running_loop()
        tickets = [Ticket(flow, item.tokens, (item, loop.create_future())) for item in items]
        for ticket in tickets:
            self._pending.add(ticket)
        self._arrived.set()
        futures = [ticket.payload[1] for ticket in tickets]
        try:
            async with asyncio.timeout(timeout):
                return list(await asyncio.gather(*futures))
        except TimeoutError as error:
            raise QueueTimeout(f"the model did not finish within {timeout:g} s") from error
        finally:
            # A caller that gave up (timeout, disconnect, a sibling's error) frees its places at once.
            # Answered tickets (a result or an error) left the line when their batch was taken: only
            # those still waiting or cancelled with their caller are looked for.
            for ticket in tickets:
                future = ticket.payload[1]
                if future.cancelled() or not future.done():
                    future.cancel()
                    self._pending.remove(ticket)

    async def _supervise(self) -> None:
        while True:
            try:
                await self._work()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a bug in the loop must not leave callers waiting forever
                log.exception("scheduler for %s failed; restarting it", self.backend.info.model)
                self.restarts += 1
                self._fail(self._in_flight, BackendFailed(f"the scheduler failed: {error!r}"))
                self._in_flight = []
                await asyncio.sleep(0.05)  # a fault that repeats must not spin the event loop

    async def _work(self) -> None:
        while True:
            while not len(self._pending):
                self._arrived.clear()
                await self._arrived.wait()
            await self._linger()
            limits = self._limits
            batch = self._pending.take(limits.max_batch_size, limits.max_batch_tokens)
            live = [ticket for ticket in batch if not ticket.payload[1].done()]
            if live:
                self._in_flight = live
                await self._run_batch(live)
                self._in_flight = []

    async def _linger(self) -> None:
        """Right after a batch, give the callers it answered a moment to come back and fill the next.

        Waits while fewer items are pending than the last batch held, until `linger` after that batch
        ended (never more than a tenth of its time, so a fast model barely waits), or until arrivals stop
        for a fifth of that. An idle server (no batch just ended) does not wait at all.
        """
        expected = min(self._limits.max_batch_size, self._last_batch_size)
        budget = min(self._limits.linger, self._last_batch_seconds / 10)
        deadline = self._last_batch_end + budget
        quiet = budget / 5
        while len(self._pending) < expected and (left := deadline - time.perf_counter()) > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), min(quiet, left))
            except TimeoutError:
                return

    async def _run_batch(self, batch: list[Ticket[tuple[QueueItem, _Future]]]) -> None:
        sources = [ticket.payload[0].source for ticket in batch]
        started = time.perf_counter()
        try:
            outputs = await asyncio.get_running_loop().run_in_executor(
                self._executor, self.backend.generate, sources
            )
            if len(outputs) != len(sources):
                raise RuntimeError(f"backend returned {len(outputs)} outputs for {len(sources)} inputs")
        except Exception as error:  # every waiting caller must hear of it, whatever it is
            log.exception("backend %s failed on a batch of %d", self.backend.info.model, len(sources))
            self._fail(batch, BackendFailed(f"the model failed: {type(error).__name__}: {error}"))
            return
        finally:
            self._last_batch_end = time.perf_counter()
        elapsed = self._last_batch_end - started
        self._last_batch_seconds = elapsed
        self._last_batch_size = len(sources)
        measured = len(sources) / max(elapsed, 1e-6)
        self._rate = measured if self._rate is None else 0.7 * self._rate + 0.3 * measured
        if self._observer is not None:
            self._observer(len(sources), len(sources) * max(t.tokens for t in batch), elapsed)
        for ticket, output in zip(batch, outputs, strict=True):
            if not ticket.payload[1].done():
                ticket.payload[1].set_result(output)

    @staticmethod
    def _fail(tickets: Sequence[Ticket[tuple[QueueItem, _Future]]], error: Exception) -> None:
        for ticket in tickets:
            if not ticket.payload[1].done():
                ticket.payload[1].set_exception(error)
