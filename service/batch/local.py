"""The batch in this process: one engine, a few items in flight at once so its batches stay full."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from service.jobs.records import ItemInput
from service.jobs.work import JobOptions, process
from service.settings import Settings

Emit = Callable[[dict[str, Any]], None]


async def run_local(
    settings: Settings, items: Sequence[ItemInput], options: JobOptions, concurrency: int, emit: Emit
) -> None:
    """Every item's record to `emit` as it is done (completion order). Raises what is not an item's
    fault (no model, the engine stopping); Ctrl-C cancels the work in flight and keeps what was emitted."""
    import asyncio

    from service.gazette import Gazette

    pending = iter(items)  # shared by the workers: each takes the next item when it is free

    async with Gazette(settings) as engine:
        await engine.wait_ready()

        async def worker() -> None:
            for item in pending:
                emit(await process(engine, item, options))

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(max(1, min(concurrency, len(items)))):
                    group.create_task(worker())
        except ExceptionGroup as failed:
            # One cause stops the batch; raise it bare, as `gazette` reports ModelUnavailable and the like.
            raise failed.exceptions[0] from None
