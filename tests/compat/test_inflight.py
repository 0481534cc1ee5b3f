"""Identical requests in flight share one piece of work; a failure is not shared with later retries."""

from __future__ import annotations

import asyncio

import pytest

from service.compat.inflight import InFlight


def test_identical_work_runs_once_and_both_callers_get_its_result() -> None:
    calls: list[str] = []

    async def scenario() -> None:
        shared: InFlight[str] = InFlight(linger=0.05)
        release = asyncio.Event()

        async def work() -> str:
            calls.append("ran")
            await release.wait()
            return "answer"

        first = asyncio.create_task(shared.run("same", work))
        second = asyncio.create_task(shared.run("same", work))
        other = asyncio.create_task(shared.run("other", work))
        await asyncio.sleep(0.01)
        release.set()
        assert await asyncio.gather(first, second, other) == ["answer"] * 3
        assert (shared.started, shared.joined) == (2, 1)
        assert await shared.run("same", work) == "answer"  # just finished: answered again, not redone
        await asyncio.sleep(0.1)
        assert len(shared) == 0  # forgotten after the linger
        assert await shared.run("same", work) == "answer"

    asyncio.run(scenario())
    assert calls == ["ran", "ran", "ran"]


def test_a_failure_is_forgotten_at_once_so_a_retry_runs_again() -> None:
    async def scenario() -> None:
        shared: InFlight[str] = InFlight()
        attempts = 0

        async def flaky() -> str:
            nonlocal attempts
            attempts += 1
            if attempts == 1:
                raise RuntimeError("busy")
            return "done"

        with pytest.raises(RuntimeError):
            await shared.run("same", flaky)
        assert await shared.run("same", flaky) == "done"
        assert attempts == 2

    asyncio.run(scenario())


def test_a_caller_that_gives_up_leaves_the_work_to_the_others() -> None:
    """The client's timeout drops its connection: the work goes on and its resend gets the answer."""

    async def scenario() -> None:
        shared: InFlight[str] = InFlight()
        release = asyncio.Event()

        async def work() -> str:
            await release.wait()
            return "answer"

        first = asyncio.create_task(shared.run("same", work))
        await asyncio.sleep(0.01)
        first.cancel()
        resend = asyncio.create_task(shared.run("same", work))
        await asyncio.sleep(0.01)
        release.set()
        assert await resend == "answer"
        assert first.cancelled() and shared.started == 1

    asyncio.run(scenario())


def test_work_every_caller_has_left_is_cancelled_after_the_linger() -> None:
    """The client hung up and sent nothing again: the work stops costing the model (issue 23)."""

    async def scenario() -> tuple[bool, int]:
        shared: InFlight[str] = InFlight(linger=0.05)
        cancelled = asyncio.Event()

        async def work() -> str:
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return "never"

        caller = asyncio.create_task(shared.run("same", work))
        await asyncio.sleep(0.01)
        caller.cancel()
        await asyncio.wait_for(cancelled.wait(), 2)
        await asyncio.sleep(0)
        return cancelled.is_set(), shared.abandoned

    assert asyncio.run(scenario()) == (True, 1)


def test_a_resend_within_the_linger_keeps_the_work() -> None:
    async def scenario() -> tuple[str, int]:
        shared: InFlight[str] = InFlight(linger=0.1)
        release = asyncio.Event()

        async def work() -> str:
            await release.wait()
            return "answer"

        first = asyncio.create_task(shared.run("same", work))
        await asyncio.sleep(0.01)
        first.cancel()
        await asyncio.sleep(0.05)  # the client's backoff, shorter than the linger
        resend = asyncio.create_task(shared.run("same", work))
        await asyncio.sleep(0.1)  # past the first caller's linger: the resend still waits on it
        release.set()
        return await resend, shared.abandoned

    assert asyncio.run(scenario()) == ("answer", 0)
