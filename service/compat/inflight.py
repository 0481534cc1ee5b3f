"""Identical requests in flight share one piece of work.

DeepL's official client gives up on a request after 10 s and sends it again, up to 5 times; a translation
that takes longer than that would otherwise be done six times over, each resend queued behind the ones
before it. Here a resend finds the first one's task by the request's identity and waits for it instead.

The work runs as a task of its own, not in the request: a caller that gives up (the client's timeout
closes its connection) does not cancel it at once, so the resend gets the answer. When the last caller
waiting on it has gone and none comes back within `linger` seconds (longer than the client's backoff
before a resend), the work is cancelled: nobody is left to read it, and its model time goes to callers
who are still there. A finished answer is kept `linger` seconds more, for a resend that arrives just
after the first one's connection was dropped; a failure is forgotten at once, so that a retry tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, Generic, TypeVar

T = TypeVar("T")
# Longer than the gap between the client's timeout and its resend (it sleeps out a backoff of 1 s and more).
LINGER_SECONDS = 5.0


class InFlight(Generic[T]):
    def __init__(self, linger: float = LINGER_SECONDS) -> None:
        self._tasks: dict[str, asyncio.Task[T]] = {}
        self._waiting: dict[str, int] = {}  # identity -> callers waiting on its task now
        self._linger = linger
        self.started = 0  # pieces of work started
        self.joined = 0  # requests answered by work another request started
        self.abandoned = 0  # pieces of work cancelled because every caller had gone

    async def run(self, identity: str, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """`work()`'s result, or that of the identical request (same `identity`) already running."""
        task = self._tasks.get(identity)
        if task is None:
            task = asyncio.create_task(work(), name=f"shared-{identity[:12]}")
            self._tasks[identity] = task
            task.add_done_callback(partial(self._settled, identity))
            self.started += 1
        else:
            self.joined += 1
        self._waiting[identity] = self._waiting.get(identity, 0) + 1
        try:
            # Shielded: this caller's cancellation (its client went away) leaves the work to the others.
            return await asyncio.shield(task)
        finally:
            self._left(identity, task)

    def __len__(self) -> int:
        return len(self._tasks)

    def _left(self, identity: str, task: asyncio.Task[T]) -> None:
        self._waiting[identity] -= 1
        if self._waiting[identity] == 0:
            del self._waiting[identity]
            if not task.done():
                asyncio.get_running_loop().call_later(self._linger, self._abandon, identity, task)

    def _abandon(self, identity: str, task: asyncio.Task[T]) -> None:
        if not task.done() and not self._waiting.get(identity):
            self.abandoned += 1
            task.cancel()

    def _settled(self, identity: str, task: asyncio.Task[T]) -> None:
        # Retrieving the exception also keeps asyncio from logging it when every caller had gone.
        if task.cancelled() or task.exception() is not None:
            self._forget(identity, task)
            return
        asyncio.get_running_loop().call_later(self._linger, self._forget, identity, task)

    def _forget(self, identity: str, task: asyncio.Task[T]) -> None:
        if self._tasks.get(identity) is task:
            del self._tasks[identity]
