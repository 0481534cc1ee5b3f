"""A caller that hangs up: its work is cancelled (and so its places in the scheduler freed)."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import Request
from starlette.types import Message

from service.api.disconnect import unless_disconnected
from service.api.errors import APIError


def request_that_hangs_up(after: asyncio.Event | None) -> Request:
    async def receive() -> Message:
        if after is None:
            await asyncio.Event().wait()  # never hangs up
        else:
            await after.wait()
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "path": "/", "headers": []}, receive)


def test_work_is_cancelled_when_the_client_disconnects() -> None:
    async def scenario() -> tuple[APIError, bool]:
        hang_up = asyncio.Event()
        started, cancelled = asyncio.Event(), asyncio.Event()

        async def long_work() -> str:
            started.set()
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return "never"

        call = asyncio.create_task(unless_disconnected(request_that_hangs_up(hang_up), long_work()))
        await started.wait()
        hang_up.set()
        with pytest.raises(APIError) as refused:
            await call
        return refused.value, cancelled.is_set()

    error, cancelled = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert (error.status, error.code) == (499, "client_closed_request")
    assert cancelled


def test_a_client_that_stays_gets_the_result() -> None:
    async def work() -> str:
        await asyncio.sleep(0.01)
        return "done"

    result = asyncio.run(unless_disconnected(request_that_hangs_up(None), work()))
    assert result == "done"
