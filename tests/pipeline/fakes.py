"""Fakes for the pipelines' ports: a model queue that calls its backend directly, a model source, and the
base of the fake models the pipeline tests script."""

from __future__ import annotations

from collections.abc import Sequence

from service.engine.items import QueueItem
from service.engine.pending import Flow
from service.models.backend import Backend, Generation, ModelInfo, Source


class AnsweringBackend:
    """A fake model that answers each source with `reply(source)` and records what it was asked."""

    def __init__(self, *, prompted: bool = True, model: str = "fake") -> None:
        self.seen: list[Source] = []
        self._info = ModelInfo(
            model=model, engine="fake", task="translate", source="built", prompted=prompted
        )

    @property
    def info(self) -> ModelInfo:
        return self._info

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.seen.extend(sources)
        return [self.reply(source) for source in sources]

    def reply(self, source: Source) -> Generation:
        raise NotImplementedError


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
