"""How the scheduler drives an engine that batches continuously (`SteppingBackend`: llama.cpp).

Each step admits pending items into the slots that others' finishing freed, drops items whose callers
gave up, and answers each item the moment it is done. A part of `Scheduler` (its base class), kept apart
because it is the one mode of driving the engine the batch path does not share; the line itself
(`PendingWork`), admission and the futures stay in `scheduler.py`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from typing import TypeVar

from service.engine.items import BatchObserver, QueueItem
from service.engine.outcomes import BackendFailed
from service.engine.pending import PendingWork, Priority, Ticket, is_top
from service.engine.thread import run_ranked
from service.engine.throughput import Throughput, work_of
from service.models.backend import Generation, SteppingBackend, StepResult

_Future = asyncio.Future[Generation]
Entry = Ticket[tuple[QueueItem, _Future]]
_UNBOUNDED = 1 << 40
_T = TypeVar("_T")
log = logging.getLogger(__name__)


class ContinuousSteps:
    """The stepping loop and what it shares with the batch path (running on the model thread, failing
    callers, waiting for work). The state it reads is the scheduler's, declared here for the type checker."""

    _pending: PendingWork[tuple[QueueItem, _Future]]
    _in_flight: list[Entry]
    _arrived: asyncio.Event
    _executor: Executor
    _observer: BatchObserver | None
    _keys: Iterator[int]
    throughput: Throughput

    def _at_risk(self) -> list[str]:
        raise NotImplementedError  # the scheduler's: flows that would miss their deadline

    async def _drop(self, backend: SteppingBackend, keys: list[Hashable]) -> None:
        """Tell the engine to let go of what a failed loop had admitted: its answers have no one to go to,
        and its slots would otherwise stay taken for good."""
        try:
            await self._execute(Priority.INTERACTIVE, backend.step, [], keys)
        except Exception:  # the engine resets itself when a step fails: nothing of the old loop is left
            log.exception("backend %s failed while dropping a failed loop's items", backend.info.model)

    async def _step_continuously(self, backend: SteppingBackend, active: dict[Hashable, Entry]) -> None:
        """Step the engine while it holds anything; each step takes in what fits and answers what is done.

        `active` is what the engine holds for this loop, keyed by item keys that are never used twice."""
        while True:
            if not active:
                await self._wait_for_work()
            given_up = [key for key, ticket in active.items() if ticket.payload[1].done()]
            for key in given_up:
                del active[key]
            taken = self._next_for_engine(backend.slots, active)
            admitted: dict[Hashable, Entry] = {next(self._keys): t for t in taken if not t.payload[1].done()}
            active.update(admitted)
            self._in_flight = list(active.values())
            admit = [(key, ticket.payload[0].source) for key, ticket in admitted.items()]
            started = time.perf_counter()
            try:
                finished = await self._execute(rank_of(active.values()), backend.step, admit, given_up)
            except Exception as error:  # the engine reset itself: everyone it held hears why
                log.exception("backend %s failed on a step over %d items", backend.info.model, len(active))
                self._fail(
                    self._in_flight, BackendFailed(f"the model failed: {type(error).__name__}: {error}")
                )
                active.clear()
                self._in_flight = []
                continue
            self._answer(active, finished, time.perf_counter() - started)
            self._in_flight = list(active.values())

    def _next_for_engine(self, slots: int, active: dict[Hashable, Entry]) -> list[Entry]:
        """What a continuous engine takes in now: as many as it has free slots, except around a reader's
        top segment. That one goes in alone, and nothing joins it until it is done: every step of a full
        engine also reads other items' prompts (up to n_batch tokens), so a sentence generated among
        sixteen others takes a step per word of several seconds; alone, its words come at the engine's
        single-sequence speed and the reader sees the top in seconds. What was already running goes on.
        """
        if any(is_top(ticket) for ticket in active.values()):
            return []
        room = slots - len(active)
        if room <= 0 or not len(self._pending):
            return []
        reader = self._pending.reader_waiting_on()
        if reader is not None:
            return self._pending.take(1, _UNBOUNDED, [reader])
        return self._pending.take(room, _UNBOUNDED, self._at_risk())

    def _answer(self, active: dict[Hashable, Entry], finished: StepResult, seconds: float) -> None:
        running = len(active)
        answered = [(active.pop(key), output) for key, output in finished if key in active]
        done = [ticket for ticket, _ in answered]
        self.throughput.record(len(done), work_of(t.tokens for t in done), seconds, running)
        if self._observer is not None and done:
            self._observer(len(done), sum(t.tokens for t in done), seconds)
        for ticket, output in answered:
            future = ticket.payload[1]
            if future.done():
                continue
            if isinstance(output, Exception):
                future.set_exception(BackendFailed(f"the model failed: {output}"))
            else:
                future.set_result(output)

    async def _wait_for_work(self) -> None:
        while not len(self._pending):
            self._arrived.clear()
            await self._arrived.wait()

    async def _execute(self, rank: int, fn: Callable[..., _T], *args: object) -> _T:
        return await run_ranked(self._executor, rank, fn, *args)

    @staticmethod
    def _fail(tickets: Sequence[Entry], error: Exception) -> None:
        for ticket in tickets:
            if not ticket.payload[1].done():
                ticket.payload[1].set_exception(error)


def rank_of(tickets: Iterable[Entry]) -> int:
    """A batch's rank on the model thread: that of its most urgent item."""
    return min(
        (ticket.flow.priority for ticket in tickets), default=Priority.BULK
    )  # a continuous engine limits tokens itself, by its cache, not by padded batches
