"""Fakes for the pipelines' ports: a model queue that calls its backend directly, and a model source."""

from __future__ import annotations

from collections.abc import Sequence

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.models.backend import Backend, Generation


class DirectQueue:
    """A `ModelQueue` without scheduling: each call is one batch; records the flows it was given."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self.flows: list[Flow | None] = []

    @property
    def backend(self) -> Backend:
        return self._backend

    async def run(
        self,
        items: Sequence[QueueItem],
        timeout: float | None,
        flow: Flow | None = None,
        *,
        judged: bool = True,
    ) -> list[Generation]:
        self.flows.append(flow)
        return self._backend.generate([item.source for item in items])

    def admit(self, items: Sequence[QueueItem], timeout: float | None, flow: Flow) -> None:
        pass


class OneQueue:
    """A `ModelSource` whose translator and summariser are the same queue."""

    def __init__(self, backend: Backend) -> None:
        self.queue = DirectQueue(backend)

    async def translator(self, source_lang: str) -> DirectQueue:
        return self.queue

    async def summarizer(self) -> DirectQueue:
        return self.queue
