"""The scheduler between callers and one model backend.

Each item (a sentence, a bullet) gets a future and a ticket in `PendingWork`. One worker forms one batch
at a time from what is pending *now* (priority, fair share, token budget: see `pending.py`), runs it on
the model thread, and hands each caller its output; newcomers join the next batch. Depth is exact
(pending + in flight), admission is bounded (`Overloaded` with a Retry-After from measured throughput),
each caller waits at most its timeout and a caller that gives up frees its pending places at once. The
worker is supervised: a fault in it is delivered to the callers of the batch it held, and it restarts
with nothing of the old loop left (a continuous engine is told to drop what the old loop had admitted,
and item keys never repeat, so no answer can reach another caller).

An engine that batches continuously (`SteppingBackend`: llama.cpp) is driven step by step instead
(`stepping.py`): each step admits pending items into the slots that others' finishing freed, drops items
whose callers gave up, and answers each item the moment it is done. Work that cannot be done within its request's deadline
when served in turns with the work already there, at the rate measured at that concurrency, is refused
before it is queued (`admission.py`); a request admitted earlier that fair share would make miss its
deadline goes first again (`deadlines.py`).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import Hashable, Sequence
from concurrent.futures import Executor

from service.engine.admission import RequestWork, judge
from service.engine.deadlines import at_risk
from service.engine.items import BatchLimits, BatchObserver, QueueItem, new_flow
from service.engine.outcomes import BackendFailed, Overloaded, QueueTimeout, ShuttingDown, TooMuchWork
from service.engine.pending import Flow, PendingWork, Priority, Ticket
from service.engine.stepping import ContinuousSteps, rank_of
from service.engine.throughput import Throughput, work_of
from service.models.backend import Backend, Generation, SteppingBackend

log = logging.getLogger(__name__)


_Future = asyncio.Future[Generation]
_Ticket = Ticket[tuple[QueueItem, _Future]]


class Scheduler(ContinuousSteps):
    def __init__(
        self, backend: Backend, executor: Executor, limits: BatchLimits, observer: BatchObserver | None = None
    ) -> None:
        self.backend = backend
        self._executor = executor
        self._limits = limits
        self._observer = observer
        self._pending: PendingWork[tuple[QueueItem, _Future]] = PendingWork()
        self._in_flight: list[_Ticket] = []
        self._arrived = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._stopping = False
        self.throughput = Throughput()
        self._keys = itertools.count()  # item keys for a continuous engine: never repeated, even on restart
        self._last_batch_end = 0.0
        self._last_batch_seconds = 0.0
        self._backlogged = False  # work was waiting when the last batch ended
        self._promoted: set[str] = set()  # flows found at risk of missing their deadlines
        self._last_batch_size = 0
        self.restarts = 0  # times the worker was restarted after a fault

    @property
    def depth(self) -> int:
        """Items pending or being generated: exactly what admission counts."""
        return len(self._pending) + len(self._in_flight)

    @property
    def capacity(self) -> int:
        """Items the model runs at once at most: a batch's size, or a continuous engine's slots."""
        if isinstance(self.backend, SteppingBackend):
            return max(1, self.backend.slots)
        return self._limits.max_batch_size

    def retry_after(self, items: int) -> int:
        """Seconds until the line has room for `items` more: until that many have finished, in whole
        batches (items leave the line a batch at a time), at the rate measured with the model full."""
        over = max(1, self.depth + items - self._limits.max_queue)
        rate = self.throughput.items_per_second(self.capacity)
        if rate is None:
            return max(1, over)  # nothing measured yet: a guess of a second an item
        batches = math.ceil(over / self.capacity)
        return max(1, math.ceil(batches * self.capacity / rate))

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
        self,
        items: Sequence[QueueItem],
        timeout: float | None,
        flow: Flow | None = None,
        *,
        judged: bool = True,
    ) -> list[Generation]:
        """Outputs for `items`, in order. Raises Overloaded, TooMuchWork, QueueTimeout, BackendFailed or
        ShuttingDown. The wait is `timeout` at most (None: no limit), and never past the flow's deadline.

        `judged`: whether these items are new work of their request, to be judged against its time (every
        document's first pass is); False for work that follows work already spent (retries, the summary
        of a translation), which is let finish or time out, never refused once the request is under way.
        """
        if not items:
            return []
        if self._stopping:
            raise ShuttingDown("the service is shutting down")
        flow = flow or new_flow()
        timeout = self._time_left(flow, timeout)
        self._check_room(items)
        if judged:
            self._judge_time(items, flow, timeout)
        self.start()
        loop = asyncio.get_running_loop()
        tickets = [Ticket(flow, item.tokens, (item, loop.create_future()), rank=item.rank) for item in items]
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
            # A caller that gave up (timeout, disconnect, a sibling's error) frees its places at once:
            # pending ones here, in-flight ones at the next step of a continuous engine.
            for ticket in tickets:
                future = ticket.payload[1]
                if future.cancelled() or not future.done():
                    future.cancel()
                    self._pending.remove(ticket)

    def admit(self, items: Sequence[QueueItem], timeout: float | None, flow: Flow) -> None:
        """Judge `items` as `flow`'s new work without queueing them: for a request that will send them in
        parts (a document translated a sentence at a time, in context), each part run with judged=False."""
        self._check_room(items)
        self._judge_time(items, flow, self._time_left(flow, timeout))

    @staticmethod
    def _time_left(flow: Flow, timeout: float | None) -> float | None:
        if flow.deadline is None:
            return timeout
        left = flow.deadline - time.monotonic()
        return max(0.0, left if timeout is None else min(timeout, left))

    def _check_room(self, items: Sequence[QueueItem]) -> None:
        if self.depth + len(items) > self._limits.max_queue:
            raise Overloaded(self.depth, self.retry_after(len(items)))

    def _judge_time(self, items: Sequence[QueueItem], flow: Flow, allowed: float | None) -> None:
        """Refuse what could not be done in `allowed` seconds (`admission.py`); bulk work waits as long
        as it takes."""
        if allowed is None or flow.priority is Priority.BULK:
            return
        ahead = [*self._in_flight, *(t for t in self._pending if t.flow.priority <= flow.priority)]
        request = RequestWork.of([item.tokens for item in items], flow.key, ahead)
        concurrency = min(self.capacity, len(ahead) + len(items))
        verdict = judge(request, lambda work: self.throughput.seconds_for(work, concurrency), allowed)
        if verdict.admitted:
            return
        if not verdict.alone_fits:
            raise TooMuchWork(verdict.own_seconds or 0.0, allowed)
        raise Overloaded(self.depth, verdict.retry_after)

    def _at_risk(self) -> list[str]:
        concurrency = min(self.capacity, max(1, self.depth))
        found = at_risk(
            self._pending.waiting_flows(Priority.INTERACTIVE),
            lambda work: self.throughput.seconds_for(work, concurrency),
            time.monotonic(),
            self._promoted,
        )
        self._promoted = set(found)  # flows with nothing left waiting drop out
        return found

    async def _supervise(self) -> None:
        while True:
            held: dict[Hashable, _Ticket] = {}  # what a continuous engine holds for this run of the loop
            try:
                if isinstance(self.backend, SteppingBackend):
                    await self._step_continuously(self.backend, held)
                else:
                    await self._work()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a bug in the loop must not leave callers waiting forever
                log.exception("scheduler for %s failed; restarting it", self.backend.info.model)
                self.restarts += 1
                self._fail(
                    [*self._in_flight, *held.values()], BackendFailed(f"the scheduler failed: {error!r}")
                )
                self._in_flight = []
                if held and isinstance(self.backend, SteppingBackend):
                    await self._drop(self.backend, list(held))
                await asyncio.sleep(0.05)  # a fault that repeats must not spin the event loop

    async def _work(self) -> None:
        while True:
            await self._wait_for_work()
            await self._linger()
            limits = self._limits
            batch = self._pending.take(limits.max_batch_size, limits.max_batch_tokens, self._at_risk())
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

    async def _run_batch(self, batch: list[_Ticket]) -> None:
        sources = [ticket.payload[0].source for ticket in batch]
        started = time.perf_counter()
        # The rate admission relies on is per wall-clock second: when work was waiting as the last batch
        # ended, the time since (forming this batch, the event loop's other work) is part of its cost.
        since = self._last_batch_end if self._backlogged else started
        try:
            outputs = await self._execute(rank_of(batch), self.backend.generate, sources)
            if len(outputs) != len(sources):
                raise RuntimeError(f"backend returned {len(outputs)} outputs for {len(sources)} inputs")
        except Exception as error:  # every waiting caller must hear of it, whatever it is
            log.exception("backend %s failed on a batch of %d", self.backend.info.model, len(sources))
            self._fail(batch, BackendFailed(f"the model failed: {type(error).__name__}: {error}"))
            return
        finally:
            self._last_batch_end = time.perf_counter()
            self._backlogged = len(self._pending) > 0
        elapsed = self._last_batch_end - started
        self._last_batch_seconds = elapsed
        self._last_batch_size = len(sources)
        self.throughput.record(len(batch), work_of(t.tokens for t in batch), self._last_batch_end - since)
        if self._observer is not None:
            self._observer(len(sources), len(sources) * max(t.tokens for t in batch), elapsed)
        for ticket, output in zip(batch, outputs, strict=True):
            if not ticket.payload[1].done():
                ticket.payload[1].set_result(output)
