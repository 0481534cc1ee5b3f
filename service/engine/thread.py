"""The one thread models generate on.

A `ThreadPoolExecutor`'s threads are joined when the interpreter exits, so a server told to stop while a
batch is generating would live on until the batch ends (minutes, for a long document on a CPU). This
thread is a daemon: shutdown answers every caller at once and the process exits; the batch's result is
not wanted by then anyway.

Every model's scheduler shares this thread (two models generating at once on a CPU only fight for
cores), so what waits here is taken by rank, then in submission order: an interactive batch of one model
goes before a bulk batch of another that was submitted first. Nothing running is interrupted.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]
_Entry = tuple[float, int, _Work | None]  # (rank, submission order, work; None: stop)

DEFAULT_RANK = 0  # plain `submit`: as urgent as interactive work (loading, the cli, tests)


class ModelThread(Executor):
    """A single daemon worker thread; waiting work runs lowest rank first, then in submission order."""

    def __init__(self, name: str = "gazette-model") -> None:
        self._work: queue.PriorityQueue[_Entry] = queue.PriorityQueue()
        self._order = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self.submit_ranked(DEFAULT_RANK, fn, *args, **kwargs)

    def submit_ranked(self, rank: int, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """`fn` to run before anything waiting of a higher rank (a `Priority`: interactive is 0)."""
        if self._closed:
            raise RuntimeError("the model thread has been shut down")
        future: Future[T] = Future()
        self._work.put((rank, next(self._order), (future, fn, args, kwargs)))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    _, _, item = self._work.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        self._work.put((math.inf, next(self._order), None))
        if wait:
            self._thread.join()

    def _run(self) -> None:
        while (item := self._work.get()[2]) is not None:
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:  # handed to the caller, whatever it is
                future.set_exception(error)


async def run_ranked(executor: Executor, rank: int, fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` on `executor`; on the shared `ModelThread`, taken in `rank` order (interactive work of
    one model before bulk work of another)."""
    if isinstance(executor, ModelThread):
        return await asyncio.wrap_future(executor.submit_ranked(rank, fn, *args))
    return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
