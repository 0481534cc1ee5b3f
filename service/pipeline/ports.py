"""What the pipelines need of the engine: small protocols, so tests can hand them a fake."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from service.engine.items import QueueItem
from service.engine.pending import Flow, Priority
from service.memory import MemoryAsk, Recalled
from service.models.backend import Backend, Generation, ModelInfo

T = TypeVar("T")


class ModelQueue(Protocol):
    """One model behind its scheduler."""

    @property
    def backend(self) -> Backend: ...

    async def run(
        self,
        items: Sequence[QueueItem],
        timeout: float | None,
        flow: Flow | None = None,
        *,
        judged: bool = True,
    ) -> list[Generation]: ...

    def admit(self, items: Sequence[QueueItem], timeout: float | None, flow: Flow) -> None:
        """Judge work that will be run in parts (each with judged=False): raise if it cannot be done."""


class SegmentMemory(Protocol):
    """The translation memory (`service.memory.TranslationMemory`)."""

    async def recall(
        self, tenant: str, info: ModelInfo, language: str, asks: Sequence[MemoryAsk]
    ) -> list[Recalled | None]: ...

    async def remember(
        self,
        tenant: str,
        info: ModelInfo,
        language: str,
        ask: MemoryAsk,
        translation: str,
        confidence: float | None = None,
    ) -> None: ...


class ModelSource(Protocol):
    """Where the pipelines get their models: the queue for a language, and the summariser's."""

    async def translator(self, source_lang: str) -> ModelQueue: ...

    async def summarizer(self) -> ModelQueue: ...


async def all_or_none(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run the coroutines together; the first to fail cancels the others (freeing their queued places)
    and its own exception is raised, not a group: callers map it to one error like any other."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


def time_limit(timeout: float, flow: Flow) -> float | None:
    """The request timeout for interactive work; none for bulk work (jobs, batch, eval), which waits behind
    people as long as it must and is never failed for time."""
    return None if flow.priority is Priority.BULK else timeout
