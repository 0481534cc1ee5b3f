"""The models in service: the active profile, one backend and batch queue per model, loaded on demand.

All models share one worker thread: on a CPU box, two models generating at once only fight for cores.
An instruction model serves both tasks: its summarizer is its translator's queue, not a second copy; one
NLLB model serves every source language (each item carries its language). Each model has its own lock:
loading or pulling one never stalls requests to another that is already loaded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from service.engine.scheduler import BatchLimits, BatchObserver, Scheduler
from service.engine.thread import ModelThread
from service.models.backend import Backend, ModelInfo, ModelUnavailable
from service.models.catalog import provide_local
from service.models.factory import ModelRequest, load_backend, model_family
from service.models.loading import resolve_pretrained
from service.models.packs import PACKS, pack_path
from service.models.profiles import PROFILES, Profile, choose_auto_profile, tiny_bart_dir, tiny_model_dir
from service.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_SOURCE = "zh"


@dataclass(frozen=True)
class ActiveProfile:
    profile: Profile
    reason: str


# Applied to every backend once loaded: the seam for instrumenting a model (tests stall or break it).
BackendWrapper = Callable[[Backend], Backend]


class ModelRegistry:
    def __init__(
        self, settings: Settings, observer: BatchObserver | None = None, wrap: BackendWrapper | None = None
    ) -> None:
        self._settings = settings
        self._observer = observer
        self._wrap = wrap
        self._executor = ModelThread()
        self._queues: dict[str, Scheduler] = {}
        self._profile_lock = asyncio.Lock()
        self._model_locks: dict[str, asyncio.Lock] = {}
        self.active: ActiveProfile | None = None
        self.error: str | None = None

    @property
    def ready(self) -> bool:
        return self.active is not None and self.error is None and bool(self._queues)

    def loaded(self) -> list[ModelInfo]:
        return [queue.backend.info for queue in self._queues.values()]

    def queue_depth(self) -> int:
        return sum(queue.depth for queue in self._queues.values())

    async def startup(self) -> None:
        """Decide the profile and load the default translation model; failures leave us not ready."""
        try:
            await self.translator(DEFAULT_SOURCE)
        except ModelUnavailable as error:
            self.error = str(error)
            log.error("models not ready: %s", error)

    async def shutdown(self) -> None:
        """Every caller still waiting hears `ShuttingDown` now; a batch generating is not waited for."""
        for queue in list(self._queues.values()):
            await queue.stop()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def resolve_profile(self) -> ActiveProfile:
        if self.active is None:
            name: str = self._settings.profile
            reason = "set by GAZETTE_PROFILE"
            if name == "auto" and self._settings.translate_model:
                name, reason = "opus", "auto, with GAZETTE_TRANSLATE_MODEL naming the translation model"
            elif name == "auto":
                name, reason = choose_auto_profile(self._settings.model_cache, self._settings.hub_timeout)
            self.active = ActiveProfile(PROFILES[name], reason)
            log.info("profile %s (%s)", name, reason)
        return self.active

    def translate_spec(self, source_lang: str) -> str:
        if self._settings.translate_model:
            return self._settings.translate_model
        profile = self.resolve_profile().profile
        if profile.name == "tiny":
            return str(tiny_model_dir(self._settings.model_cache))
        if profile.name in PACKS:
            return str(pack_path(PACKS[profile.name], self._settings.model_cache))
        return profile.translate_model(source_lang)

    def check_obtainable(self) -> str:
        """Fail fast (seconds, no download) when the default model can be had neither here nor remotely.

        Returns what will be loaded. PyPI packs and the tiny model are made on first start instead.
        """
        active = self.resolve_profile()
        spec = self.translate_spec(DEFAULT_SOURCE)
        building = not self._settings.translate_model and active.profile.name in {"tiny", *PACKS}
        if not building and not spec.endswith(".gguf"):
            resolve_pretrained(spec, self._settings.model_cache, self._settings.hub_timeout)
        elif spec.endswith(".gguf") and self._settings.translate_model and not Path(spec).is_file():
            raise ModelUnavailable(f"GGUF file {spec} does not exist")
        return f"profile {active.profile.name} ({active.reason}): {spec}"

    async def translator(self, source_lang: str) -> Scheduler:
        """The scheduler in front of the model for `source_lang`, loading the model on first use."""
        await self._resolve()
        spec = self.translate_spec(source_lang)
        return await self._queue(spec, lambda: self._load(spec, "translate", self._settings.translate_model))

    def summarize_spec(self) -> str:
        settings = self._settings
        if settings.summarize_model:
            return settings.summarize_model
        profile = self.resolve_profile().profile
        if settings.translate_model and model_family(settings.translate_model, profile.family) == "causal":
            return settings.translate_model  # an instruction model named for translation summarises too
        if profile.name == "tiny":
            return str(tiny_bart_dir(self._settings.model_cache))
        if profile.name in PACKS:
            return str(pack_path(PACKS[profile.name], self._settings.model_cache))
        return profile.summarize

    async def summarizer(self) -> Scheduler:
        """The scheduler in front of the summarising model; the translator's own where it is the same model."""
        await self._resolve()
        spec = self.summarize_spec()
        return await self._queue(spec, lambda: self._load(spec, "summarize", self._settings.summarize_model))

    async def _resolve(self) -> None:
        if self.active is None:
            async with self._profile_lock:
                if self.active is None:
                    await asyncio.to_thread(self.resolve_profile)

    async def _queue(self, spec: str, load: Callable[[], Backend]) -> Scheduler:
        """The scheduler for `spec`, loading it (off the event loop) under that model's own lock."""
        if spec in self._queues:
            return self._queues[spec]
        async with self._model_locks.setdefault(spec, asyncio.Lock()):
            if spec not in self._queues:
                backend = await asyncio.to_thread(load)
                if self._wrap is not None:
                    backend = self._wrap(backend)
                self._queues[spec] = self._new_queue(backend)
                self.error = None
            return self._queues[spec]

    def _new_queue(self, backend: Backend) -> Scheduler:
        settings = self._settings
        limits = BatchLimits(
            max_queue=settings.max_queue,
            max_batch_tokens=settings.max_batch_tokens,
            max_batch_size=settings.max_batch_size,
            linger=settings.batch_linger,
        )
        return Scheduler(backend, self._executor, limits, self._observer)

    def _load(self, spec: str, task: str, override: str | None) -> Backend:
        """Blocking: may build a tiny model or pull a PyPI pack first (unless `override` names the model),
        then loads `spec` for `task` on the chosen engine."""
        settings = self._settings
        assert self.active is not None
        profile = self.active.profile
        source = None
        if not override and provide_local(
            profile.name, settings.model_cache, progress=lambda line: log.info("pull: %s", line)
        ):
            source = "pypi-pack" if profile.name in PACKS else None
        request = ModelRequest(spec, profile.family, task, profile.licence, source)
        return load_backend(request, settings)
