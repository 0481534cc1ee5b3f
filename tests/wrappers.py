"""Backends wrapped around the real one (through `Gazette(wrap_backend=...)`): they record, hold or break
generation while everything else is the model's own."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from service.models.backend import Backend, Generation, ModelInfo, Source


class Watched:
    """The real backend, recording each batch's inputs. A batch waits at `gate` (open by default), and
    fails when it holds a text containing `fail_on` (or always, with `fail_on=""`)."""

    def __init__(
        self, inner: Backend, gate: threading.Event | None = None, fail_on: str | None = None
    ) -> None:
        self.inner = inner
        self.batches: list[list[str]] = []
        self.gate = gate or threading.Event()
        if gate is None:
            self.gate.set()
        self.fail_on = fail_on

    @property
    def info(self) -> ModelInfo:
        return self.inner.info

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    @property
    def seen(self) -> list[str]:
        return [text for batch in self.batches for text in batch]

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.batches.append([source.text for source in sources])
        self.gate.wait(20)
        if self.fail_on is not None and any(self.fail_on in source.text for source in sources):
            raise RuntimeError("weights corrupted (simulated)")
        return self.inner.generate(sources)


class WatchAll:
    """A `wrap_backend` that watches every model as it loads; `models[0]` is the first loaded."""

    def __init__(self, gate: threading.Event | None = None, fail_on: str | None = None) -> None:
        self.models: list[Watched] = []
        self._gate = gate
        self._fail_on = fail_on

    def __call__(self, backend: Backend) -> Backend:
        self.models.append(Watched(backend, self._gate, self._fail_on))
        return self.models[-1]
