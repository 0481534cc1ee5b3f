"""`Jobs`: what callers do with jobs (submit, follow, read results, cancel), over the store and runner.

`Gazette` builds one when asked to run jobs; the HTTP jobs API and anything else that wants durable
batch work go through it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from service.access import Access, Principal
from service.jobs.formats import kind_of, paragraph_count, read_items, write_translated
from service.jobs.job import UNFINISHED, IdempotencyConflict, Job, TooManyJobs
from service.jobs.live import LiveSegments
from service.jobs.records import ItemInput, record_paragraphs
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.settings import Settings

__all__ = ["IdempotencyConflict", "Job", "JobLimit", "Jobs", "Progress"]


class JobLimit(ValueError):
    """A submission beyond a limit. `kind`: "too_large" (items or characters) or "too_many" (jobs)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Progress:
    job: Job
    seconds: float  # since the job first started (0 while queued)
    eta_seconds: float | None  # remaining characters at the rate this job has gone since last taken up
    paused: str | None = None  # why an unfinished job is not moving now (the store cannot write: disk full)
    segments: tuple[int, int] | None = None  # (done, total) sentences of its items in the engine now


class Jobs:
    def __init__(
        self,
        store: JobStore,
        settings: Settings,
        wake: Callable[[], None],
        paused: Callable[[], str | None] = lambda: None,
        access: Access | None = None,
        live: LiveSegments | None = None,
    ) -> None:
        """`wake`: tell the runner there is new work; `paused`: why the runner is not moving, if it is not;
        `access`: where a job's characters are reserved and settled (None: not counted)."""
        self._access = access
        self._live = live or LiveSegments()
        self._forget: list[Callable[[Sequence[str]], None]] = []
        self._store = store
        self._settings = settings
        self._wake = wake
        self._paused = paused

    async def submit(
        self,
        principal: Principal,
        options: JobOptions,
        items: Sequence[ItemInput],
        files: dict[str, bytes] | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Job, bool]:
        """Store the principal's job (committed before this returns) and wake the runner; `(job, created)`.
        Its characters are reserved first (QuotaExceeded), and charged as its items are done when it ends."""
        self._check(items)
        if idempotency_key is not None:
            made = await asyncio.to_thread(
                self._store.made_with, principal.tenant, idempotency_key, options, items
            )
            if made is not None:
                return made, False
        reservation = None
        if self._access is not None:
            chars = sum(len(item.text) for item in items)
            reservation = await self._access.reserve(principal, chars, durable=True)
        try:
            job, created = await asyncio.to_thread(
                self._store.create,
                principal.tenant, options, items, files, idempotency_key, self._settings.max_jobs_queued,
            )  # fmt: skip
        except BaseException as error:
            if self._access is not None and reservation is not None:
                await asyncio.shield(self._access.settle(reservation, 0))
            if isinstance(error, TooManyJobs):
                raise JobLimit("too_many", str(error)) from error
            raise
        if self._access is not None and reservation is not None:
            if created:
                await self._access.usage_store.attach(reservation, job.id)
            else:  # the job this key made before, charged as such: this one reserved for nothing
                await self._access.settle(reservation, 0)
        if created:
            self._wake()
        return job, created

    async def settle_ended(self) -> None:
        """Charge each ended job's done items and give the rest of its reservation back."""
        if self._access is None:
            return
        usage = self._access.usage_store
        for reservation, job_id in await asyncio.to_thread(usage.job_reservations):
            job = await asyncio.to_thread(self._store.get, job_id)
            if job is None or job.state not in UNFINISHED:
                await asyncio.to_thread(usage.settle_now, reservation, job.chars_served if job else 0)

    def _check(self, items: Sequence[ItemInput]) -> None:
        settings = self._settings
        if len(items) > settings.max_job_items:
            raise JobLimit("too_large", f"{len(items)} items; at most {settings.max_job_items} per job")
        chars = sum(len(item.text) for item in items)
        if chars > settings.max_job_chars:
            raise JobLimit("too_large", f"{chars} characters; at most {settings.max_job_chars} per job")
        for item in items:
            if len(item.text) > settings.max_chars:
                raise JobLimit(
                    "too_large",
                    f"item {item.id!r} has {len(item.text)} characters; at most {settings.max_chars}",
                )

    def on_deleted(self, forget: Callable[[Sequence[str]], None]) -> None:
        """Call `forget(job_ids)` (in a worker thread) after jobs are deleted: what others keep of them."""
        self._forget.append(forget)

    async def delete(self, job_ids: Sequence[str]) -> list[str]:
        """The finished ones of these jobs deleted (rows, uploads, results) once their characters are
        settled, and their space given back; those deleted."""
        await self.settle_ended()
        gone = await asyncio.to_thread(self._store.delete, job_ids)
        for forget in self._forget:
            await asyncio.to_thread(forget, gone)
        await asyncio.to_thread(self._store.reclaim)
        return gone

    async def finished_before(self, cutoff: float, limit: int) -> list[str]:
        return await asyncio.to_thread(self._store.finished_before, cutoff, limit)

    # Every read and change below is the tenant's: another's job is answered as no job (None).

    async def progress(self, job_id: str, tenant: str) -> Progress | None:
        job = await asyncio.to_thread(self._store.get, job_id, tenant)
        if job is None:
            return None
        return replace(progress_of(job, paused=self._paused()), segments=self._live.of(job_id))

    async def newest(self, tenant: str, limit: int, before: str | None) -> list[Progress]:
        paused = self._paused()
        return [
            replace(progress_of(job, paused=paused), segments=self._live.of(job.id))
            for job in await asyncio.to_thread(self._store.newest, tenant, limit, before)
        ]

    async def position_of(self, job_id: str, tenant: str, item_id: str) -> int | None:
        if await asyncio.to_thread(self._store.get, job_id, tenant) is None:
            return None
        return await asyncio.to_thread(self._store.position_of, job_id, item_id)

    async def records(
        self, job_id: str, tenant: str, after: int, limit: int = 200
    ) -> list[tuple[int, dict[str, Any]]]:
        """Finished items after input position `after`, in input order, with their positions."""
        if await asyncio.to_thread(self._store.get, job_id, tenant) is None:
            return []
        return await asyncio.to_thread(self._store.records, job_id, after, limit)

    async def cancel(self, job_id: str, tenant: str) -> Progress | None:
        job = await asyncio.to_thread(self._store.cancel, job_id, tenant)
        self._wake()
        return None if job is None else progress_of(job)

    async def translated_file(self, job_id: str, tenant: str, name: str) -> tuple[bytes | None, str] | None:
        """(the upload translated in its own format, or None with why); None if there is no such file."""
        if await asyncio.to_thread(self._store.get, job_id, tenant) is None:
            return None
        found = await asyncio.to_thread(self._store.file, job_id, name)
        if found is None:
            return None
        data, record = found
        if record is None:
            return None, "not translated yet"
        if record.get("error") or not record.get("segments"):
            return None, record.get("error") or "this job made no translation (task summarize)"
        return await asyncio.to_thread(_rebuild, name, data, record), ""


def _rebuild(name: str, data: bytes, record: dict[str, Any]) -> bytes | None:
    """The upload in its own format, each paragraph (non-empty line of its text) in English."""
    if kind_of(name) == "jsonl":
        return None  # items, not a document: nothing to rebuild
    [item] = read_items(name, data)
    return write_translated(name, data, record_paragraphs(record, paragraph_count(item.text)) or [])


def progress_of(job: Job, now: float | None = None, paused: str | None = None) -> Progress:
    now = time.time() if now is None else now
    paused = paused if job.state in UNFINISHED else None  # a finished job no longer waits on anything
    if job.started is None:
        return Progress(job, 0.0, None, paused)
    seconds = (job.finished or now) - job.started
    eta = None
    # The rate since the runner last took the job up, from items done (not failed): time the service was
    # down, and items that failed at once, would skew it.
    running_for = now - (job.resumed or job.started)
    if job.state == "running" and job.chars_since_resumed and running_for > 0:
        eta = round((job.chars - job.chars_done) / (job.chars_since_resumed / running_for), 1)
    return Progress(job, round(seconds, 3), eta, paused)
