"""The translation memory as the pipeline and the adapters see it: recall a document's segments, remember
what the model made, and take a person's corrections (which win, for their tenant, from then on)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from service.memory.keys import ModelIdentity, memory_text, model_fingerprint, person_key
from service.memory.store import MemoryEntry, MemoryStore, Origin
from service.models.backend import ModelInfo

# Where a model's entry keeps its confidence: the entry's `extra` (no column of its own, no migration).
CONFIDENCE = "confidence"


@dataclass(frozen=True)
class MemoryAsk:
    """One segment as the pipeline would send it: its text, and the glossary renderings that applied."""

    source: str
    glossary: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Recalled:
    translation: str
    origin: Origin  # "person": a correction or an import; "model": made before by this very model set-up
    confidence: float | None = None  # a model's entry: the confidence it was made with (None: not filed)


class TranslationMemory:
    """Opened on first use, in the service's database (GAZETTE_DB); `enabled=False` (GAZETTE_MEMORY=off): recalls
    nothing, remembers nothing, and opens no file for it."""

    def __init__(
        self, path: Path | str, *, enabled: bool = True, settings: tuple[tuple[str, object], ...] = ()
    ) -> None:
        self._path = path
        self.enabled = enabled
        self._settings = settings
        self._store: MemoryStore | None = None
        self._opening = threading.Lock()
        self._fingerprints: dict[str, str] = {}

    @property
    def store(self) -> MemoryStore:
        with self._opening:
            if self._store is None:
                self._store = MemoryStore(self._path)
            return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def identity(self, info: ModelInfo) -> ModelIdentity:
        if info.model not in self._fingerprints:  # hashing a model's files once per process, not per call
            self._fingerprints[info.model] = model_fingerprint(info)
        return ModelIdentity(self._fingerprints[info.model], info.engine, info.prompt_digest, self._settings)

    async def recall(
        self, tenant: str, info: ModelInfo, language: str, asks: Sequence[MemoryAsk]
    ) -> list[Recalled | None]:
        """Per ask, what the tenant's memory holds for it: a person's entry first, else the model's."""
        if not self.enabled or not asks:
            return [None] * len(asks)
        return await asyncio.to_thread(self._recall, tenant, self.identity(info), language, asks)

    def _recall(
        self, tenant: str, identity: ModelIdentity, language: str, asks: Sequence[MemoryAsk]
    ) -> list[Recalled | None]:
        keys = [
            (person_key(language, ask.source), identity.key(language, ask.source, ask.glossary))
            for ask in asks
        ]
        found = self.store.lookup(tenant, [key for pair in keys for key in pair])
        recalled: list[Recalled | None] = []
        for person, model in keys:
            entry = found.get(person) or found.get(model)
            recalled.append(None if entry is None else _recalled(entry))
        return recalled

    async def remember(
        self,
        tenant: str,
        info: ModelInfo,
        language: str,
        ask: MemoryAsk,
        translation: str,
        confidence: float | None = None,
    ) -> None:
        """File what the model made for `ask` (committed before this returns), with its confidence: a
        recalled segment has no log-probabilities of its own to compute one from."""
        if not self.enabled or not translation.strip():
            return
        key = self.identity(info).key(language, ask.source, ask.glossary)
        extra: dict[str, object] = {} if confidence is None else {CONFIDENCE: confidence}
        entry = MemoryEntry(
            tenant, key, "model", language, memory_text(ask.source), translation, info.model, extra
        )
        await asyncio.to_thread(self.store.put, [entry])

    async def correct(self, tenant: str, language: str, source: str, translation: str) -> MemoryEntry:
        """A person's translation of `source`, for `tenant`: it wins over the model's from now on."""
        entry = person_entry(tenant, language, source, translation)
        await asyncio.to_thread(self.store.put, [entry])
        return entry

    async def entries(self, tenant: str) -> list[MemoryEntry]:
        return await asyncio.to_thread(self.store.entries, tenant)


def _recalled(entry: MemoryEntry) -> Recalled:
    filed = entry.extra.get(CONFIDENCE) if entry.origin == "model" else None
    return Recalled(entry.translation, entry.origin, float(filed) if isinstance(filed, int | float) else None)


def person_entry(
    tenant: str, language: str, source: str, translation: str, extra: dict[str, object] | None = None
) -> MemoryEntry:
    return MemoryEntry(
        tenant, person_key(language, source), "person", language, memory_text(source), translation.strip(),
        extra=extra or {},
    )  # fmt: skip
