"""`Gazette`, the engine as a library: the one composition root under every adapter.

    async with Gazette(settings) as gz:
        documents = await gz.translate([TranslateJob(text)])

It owns the model registry (models and their schedulers), the pipelines, their start-up (models load in
the background: `ready`, `wait_ready`) and their shutdown (`drain`, or leaving the block: every caller
still waiting is answered at once). The HTTP app, the CLI, eval, bench, and the jobs runner and web form
to come are thin adapters over it; none of them imports another.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType

from service.access import ANONYMOUS, Access
from service.db.database import Database
from service.db.listen import Listener as WakeUps
from service.engine.items import BatchObserver, new_flow
from service.engine.outcomes import ShuttingDown
from service.engine.pending import Flow, Priority
from service.engine.registry import DEFAULT_SOURCE, ActiveProfile, BackendWrapper, ModelRegistry
from service.glossary import read_glossary_file
from service.glossary.auto import warm_up as warm_up_names
from service.glossary.store import GlossaryStore
from service.jobs.jobs import Jobs
from service.jobs.live import LiveSegments
from service.jobs.retention import sweep_forever
from service.jobs.runner import JobRunner
from service.jobs.store import NEW_WORK, JobStore
from service.memory import TranslationMemory
from service.memory.examples import ExampleFinder
from service.models.backend import Backend, ModelInfo, ModelUnavailable
from service.pipeline.events import Caller, Listener
from service.pipeline.summarize import SummarizationPipeline, SummarizedDocument, SummarizeJob, Summary
from service.pipeline.translate import TARGET_LANGUAGES, TranslateJob, TranslationPipeline
from service.pipeline.types import TranslatedDocument
from service.settings import Settings
from service.text.langdetect import SUPPORTED_SOURCES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceLanguage:
    code: str
    name: str
    model: str | None  # what translates it, once the profile is decided


class Gazette:
    def __init__(
        self, settings: Settings, *, wrap_backend: BackendWrapper | None = None, run_jobs: bool = False
    ) -> None:
        """`wrap_backend` is applied to each model once loaded (instrumentation; tests inject faults).
        `run_jobs`: open the job store (`settings.jobs_db()`) and run its jobs, resuming unfinished ones,
        for as long as the engine is open (`gazette serve`); off, `jobs` is unavailable."""
        self.settings = settings
        self._observers: list[BatchObserver] = []
        self._registry = ModelRegistry(settings, observer=self._observe_batch, wrap=wrap_backend)
        # In the jobs' file, opened on first use; off (GAZETTE_MEMORY=off), the pipeline never sees it.
        self.memory = TranslationMemory(
            settings.jobs_db(), enabled=settings.memory, settings=settings.memory_key_settings()
        )
        self._translation = TranslationPipeline(
            self._registry,
            token_budget=settings.max_segment_tokens,
            timeout=settings.request_timeout,
            auto_terms=settings.auto_terms,
            prompt_context=settings.prompt_context,
            # Read here, not per request: a file that cannot be read stops the service at its start.
            configured_glossary=read_glossary_file(settings.glossary) if settings.glossary else None,
            memory=self.memory if settings.memory else None,
            examples=ExampleFinder(lambda: self.memory.store) if settings.examples else None,
        )
        self._summaries = SummarizationPipeline(
            self._translation, self._registry, timeout=settings.request_timeout
        )
        self._loading: asyncio.Task[None] | None = None
        self._closing = False
        self._run_jobs = run_jobs
        self._jobs: Jobs | None = None
        self._job_runner: asyncio.Task[None] | None = None
        self._retention: asyncio.Task[None] | None = None
        self._forget_jobs: list[Callable[[Sequence[str]], None]] = []
        self._glossaries: GlossaryStore | None = None
        self._job_store: JobStore | None = None
        self._listener: WakeUps | None = None
        self._database: Database | None = None  # for /readyz: whether GAZETTE_DB answers
        # Who may call and what they may spend, for every adapter; its files open on first use.
        self.access = Access.from_settings(settings)

    async def __aenter__(self) -> Gazette:
        # In the background: a server answers /healthz at once and /readyz says 503 until loaded.
        self._loading = asyncio.create_task(self._start_up(), name="load-models")
        if self._run_jobs:
            self._start_jobs()
        return self

    async def _start_up(self) -> None:
        if self.settings.auto_terms:  # beside the models, and before readiness is announced
            await asyncio.to_thread(warm_up_names)
        await self._registry.startup()

    def _start_jobs(self) -> None:
        store = JobStore(self.settings.jobs_db())
        live = LiveSegments()
        self._job_store = store
        runner = JobRunner(
            store,
            self,
            concurrency=self.settings.job_concurrency,
            ready=self.wait_ready,
            settle=lambda: jobs.settle_ended(),
            live=live,
            lease_seconds=self.settings.lease_seconds,
        )
        paused = lambda: runner.paused  # noqa: E731
        jobs = self._jobs = Jobs(store, self.settings, runner.wake, paused, self.access, live)
        for forget in self._forget_jobs:
            jobs.on_deleted(forget)
        self._job_runner = asyncio.create_task(runner.run_forever(), name="job-runner")
        if store.database.postgres:  # jobs stored by other replicas wake this one at once
            loop = asyncio.get_running_loop()

            def woken() -> None:  # from the listening thread
                loop.call_soon_threadsafe(runner.wake)

            self._listener = WakeUps(store.database, NEW_WORK, woken)
            self._listener.start()
        if self.settings.retention_days:
            sweeping = sweep_forever(jobs, self.settings.retention_days)
            self._retention = asyncio.create_task(sweeping, name="retention")

    @property
    def jobs(self) -> Jobs:
        """Durable batch jobs; only on an engine opened with `run_jobs=True`."""
        if self._jobs is None:
            raise RuntimeError("this engine does not run jobs (Gazette(settings, run_jobs=True))")
        return self._jobs

    def on_jobs_deleted(self, forget: Callable[[Sequence[str]], None]) -> None:
        """Call `forget(job_ids)` once jobs are deleted (retention, a DELETE): what an adapter keeps of them
        goes with them. Registered before the engine is opened."""
        self._forget_jobs.append(forget)

    @property
    def glossaries(self) -> GlossaryStore:
        """Stored glossaries (named by `glossary_id`), in the jobs' file (`settings.jobs_db()`), whether or
        not this engine runs jobs; opened on first use, so an engine that never needs them opens nothing."""
        if self._glossaries is None:
            self._glossaries = GlossaryStore(self.settings.jobs_db())
        return self._glossaries

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.drain()

    def on_batch(self, observer: BatchObserver) -> None:
        """Call `observer(items, padded_tokens, seconds)` after every batch any model runs."""
        self._observers.append(observer)

    def _observe_batch(self, items: int, padded_tokens: int, seconds: float) -> None:
        for observer in self._observers:
            observer(items, padded_tokens, seconds)

    # -- state -----------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._registry.ready and not self._closing

    @property
    def error(self) -> str | None:
        return self._registry.error

    @property
    def profile(self) -> ActiveProfile | None:
        return self._registry.active

    def loaded(self) -> list[ModelInfo]:
        return self._registry.loaded()

    def queue_depth(self) -> int:
        return self._registry.queue_depth()

    def languages(self) -> list[SourceLanguage]:
        decided = self._registry.active is not None
        return [
            SourceLanguage(code, name, self._registry.translate_spec(code) if decided else None)
            for code, name in SUPPORTED_SOURCES.items()
            if code not in TARGET_LANGUAGES
        ]

    def check_obtainable(self) -> str:
        """Fail fast (seconds, no download) when the default model can be had neither here nor remotely."""
        return self._registry.check_obtainable()

    async def database_error(self) -> str | None:
        """None while the database (GAZETTE_DB) answers; else why it does not."""
        if self._database is None:
            self._database = Database(self.settings.jobs_db())
        return await asyncio.to_thread(self._database.ping)

    async def wait_ready(self) -> None:
        """Until the default model is loaded; raises ModelUnavailable if it cannot be."""
        if self._loading is not None:
            await asyncio.shield(self._loading)
        if self._registry.error is not None:
            raise ModelUnavailable(self._registry.error)

    async def drain(self) -> None:
        """Stop taking work and answer every waiting caller with `ShuttingDown` now; idempotent."""
        self._closing = True
        for task in (self._job_runner, self._retention):
            # Items in flight are not recorded: they stay pending and run again on the next start.
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)
        await self._registry.shutdown()
        if self._listener is not None:
            await asyncio.to_thread(self._listener.stop)
            self._listener = None
        for store in (self._job_store, self._database):
            if store is not None:
                store.close()
        self._job_store = self._database = None
        self.access.close()
        self.memory.close()

    # -- work ------------------------------------------------------------------------------------

    async def translate(
        self,
        jobs: Sequence[TranslateJob],
        *,
        priority: Priority = Priority.INTERACTIVE,
        tenant: str = ANONYMOUS,
        listener: Listener | None = None,
    ) -> list[TranslatedDocument]:
        """One request: its documents share one flow (fair share is per request) and one deadline.
        `tenant`: whose translation memory serves it and keeps what it makes; `listener`: told each
        segment the moment it is final (and then a document is worked through from its top)."""
        self._check_open()
        caller = Caller(tenant, listener)
        return await self._translation.translate_many(jobs, self._flow(priority), caller)

    async def summarize(
        self,
        jobs: Sequence[SummarizeJob],
        *,
        priority: Priority = Priority.INTERACTIVE,
        tenant: str = ANONYMOUS,
        listener: Listener | None = None,
    ) -> list[SummarizedDocument]:
        self._check_open()
        return await self._summaries.summarize_many(jobs, self._flow(priority), Caller(tenant, listener))

    async def summarize_document(
        self, document: TranslatedDocument, bullets: int, *, priority: Priority = Priority.INTERACTIVE
    ) -> Summary:
        """Bullets for a document already translated (its translation is not made again)."""
        self._check_open()
        return await self._summaries.summarize_document(document, bullets, self._flow(priority))

    async def translator_info(self, source_lang: str = DEFAULT_SOURCE) -> ModelInfo:
        """The model that translates `source_lang` (loaded if it was not)."""
        return (await self._registry.translator(source_lang)).backend.info

    async def translator_backend(self, source_lang: str = DEFAULT_SOURCE) -> Backend:
        """The translating backend itself, for measuring the engine's ceiling (`gazette bench`)."""
        return (await self._registry.translator(source_lang)).backend

    def _flow(self, priority: Priority) -> Flow:
        """One request's flow. Interactive work must finish within the request timeout; bulk work waits
        its turn, however long the line, and is never refused for time."""
        within = self.settings.request_timeout if priority is Priority.INTERACTIVE else None
        return new_flow(priority, within)

    def _check_open(self) -> None:
        if self._closing:
            raise ShuttingDown("the service is shutting down")
