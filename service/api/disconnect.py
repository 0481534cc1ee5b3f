"""A caller that hangs up stops costing the model: its work is cancelled, its queued places freed.

Starlette keeps running a handler after its client has gone; for a long document that is minutes of
model time nobody will read, taken from callers who are still there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any, TypeVar

from fastapi import Request

from service.api.errors import APIError

T = TypeVar("T")


async def _disconnected(request: Request) -> None:
    # The body has been read by now: the next message is the disconnect (or the end of the response).
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_disconnected(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """The result of `work`, unless the client disconnects first: then `work` is cancelled."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise APIError(499, "client_closed_request", "the client disconnected before the result was ready")
    finally:
        watcher.cancel()
        task.cancel()  # no-op when done; when this handler itself is cancelled, so is its work
