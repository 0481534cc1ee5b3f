"""A caller that hangs up stops costing the model: its work is cancelled, its queued places freed.

Starlette keeps running a handler after its client has gone; for a long document that is minutes of
model time nobody will read, taken from callers who are still there. Every API family wraps its engine
work in `unless_disconnected` and answers `ClientGone` in its own body (nobody reads it: it is for the log).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

from starlette.requests import Request

T = TypeVar("T")


class ClientGone(Exception):
    """The client disconnected before the result was ready; its work was cancelled."""

    def __init__(self) -> None:
        super().__init__("the client disconnected before the result was ready")


async def _disconnected(request: Request) -> None:
    # The body has been read by now: the next message is the disconnect (or the end of the response).
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """The result of `work`, unless the client disconnects first: then `work` is cancelled (ClientGone)."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise ClientGone()
    finally:
        watcher.cancel()
        task.cancel()  # no-op when done; when this handler itself is cancelled, so is its work
