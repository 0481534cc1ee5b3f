"""The job runner: takes stored jobs in order and feeds their items to the engine at bulk priority.

Each tenant with work has a lane taking its jobs in order; lanes run side by side and share `concurrency`
(a new lane starts with its share while the others drain down to theirs), so one tenant's long job
does not hold back another's one file. Several items of a job are in the engine at once, so its batches
stay full, while the engine serves interactive requests first. An item whose model failed (out of memory, a
crashed backend) is tried again after `retry_delays` before it is recorded failed. Each item's record is committed as soon as it is made. A job
left unfinished by a stop (even `kill -9`) resumes from its first pending item when the runner starts
again: an item in flight at the stop was never recorded, so it runs again; one recorded never does.

Items are claimed with leases (claims.py), renewed while they run, so that several processes on one
database share its jobs: one that dies loses its leases, and the others take its items once they lapse
(they look every `poll_seconds`, and at once when woken: a new job here, or NOTIFY on PostgreSQL). A job's
`concurrency` holds over all of them: each takes its share of it (claims.py).

A job store that cannot write (a full disk) pauses the runner: the item whose record was refused stays
pending, the records already made stay as they are, `paused` says why (on every unfinished job), and
the runner tries again every `retry_seconds` until a write succeeds; then the job goes on where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from service.db.errors import StoreWriteFailed
from service.jobs.job import PendingItem
from service.jobs.live import LiveSegments
from service.jobs.store import JobStore
from service.jobs.work import (
    NOT_THE_ITEMS_FAULT,
    RETRY_DELAYS,
    BatchEngine,
    ItemCaller,
    JobOptions,
    process,
)
from service.models.backend import ModelUnavailable

log = logging.getLogger(__name__)

_T = TypeVar("_T")

RETRY_SECONDS = 5.0  # after the engine could not serve (no model yet) or the store could not write: try again
LEASE_SECONDS = 60.0


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        engine: BatchEngine,
        *,
        concurrency: int,
        ready: Callable[[], Awaitable[None]] | None = None,
        retry_seconds: float = RETRY_SECONDS,
        settle: Callable[[], Awaitable[None]] | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        live: LiveSegments | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        """`settle`: called once jobs have ended (each one run, and each time the runner is woken): their
        reserved characters are charged for the items done, and the rest given back."""
        self._settle = settle
        self.live = live or LiveSegments()  # sentences done of the items in the engine, for progress
        self._retry_delays = retry_delays  # before each new try of an item whose model failed
        self._store = store
        self._engine = engine
        self._concurrency = concurrency
        self._ready = ready
        self._retry_seconds = retry_seconds
        self._wake = asyncio.Event()
        self._lanes = 1  # tenants whose jobs run side by side now
        self.owner = f"{uuid.uuid4().hex[:12]}"  # this runner, as its leases name it
        self._lease_seconds = lease_seconds
        # How often to look for work woken by nothing: leases lapsed (a dead process's items), or jobs
        # stored by another process where no NOTIFY tells (SQLite).
        self._poll_seconds = min(5.0, lease_seconds / 4)
        self.paused: str | None = None  # why unfinished jobs are not moving now; None while they are

    def _paused_by(self, error: Exception) -> None:
        self.paused = f"{error}; trying again every {self._retry_seconds:g} s"

    def wake(self) -> None:
        """New work was stored (or a job cancelled): look again now."""
        self._wake.set()

    async def run_forever(self) -> None:
        """The supervised loop: an unexpected error is logged and the loop starts over after a pause."""
        if not self._store.database.postgres:  # a SQLite file is one process's: its leases are a dead one's
            await asyncio.to_thread(self._store.release_all)
        while True:
            try:
                if self._ready is not None:
                    await self._ready()  # the default model loaded (it may have failed, and come back)
                await self._run_until_idle()
                await self._settled()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            except asyncio.CancelledError:
                await asyncio.shield(self._release())
                raise
            except (StoreWriteFailed, ModelUnavailable) as error:  # until an operator or a load fixes it
                self._paused_by(error)
                log.error("jobs paused: %s", self.paused)
                await asyncio.sleep(self._retry_seconds)
            except NOT_THE_ITEMS_FAULT as error:
                log.warning("jobs paused: %s; trying again in %g s", error, self._retry_seconds)
                await asyncio.sleep(self._retry_seconds)
            except Exception:
                log.exception("job runner failed; starting over in %g s", self._retry_seconds)
                await asyncio.sleep(self._retry_seconds)

    async def _run_until_idle(self) -> None:
        """One lane per tenant with work, side by side, sharing the concurrency: a tenant's long job does
        not hold back another's one file. A lane's error stops them all (to the supervisor above)."""
        lanes: dict[str, asyncio.Task[None]] = {}
        try:
            while True:
                self._wake.clear()  # set again by a submission from here on: looked at below
                for tenant, lane in list(lanes.items()):
                    if lane.done():
                        del lanes[tenant]
                        lane.result()
                for tenant in await asyncio.to_thread(self._store.claimable_tenants):
                    if tenant not in lanes:
                        lanes[tenant] = asyncio.create_task(self._lane(tenant), name=f"jobs-of-{tenant}")
                self._lanes = len(lanes)
                if not lanes:
                    return
                woken = asyncio.create_task(self._wake.wait())
                await asyncio.wait([*lanes.values(), woken], return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
        finally:
            for lane in lanes.values():
                lane.cancel()
            await asyncio.gather(*lanes.values(), return_exceptions=True)
            self._lanes = 1

    async def _release(self) -> None:
        """This runner's leases given up as it stops: other processes take the items at once."""
        try:
            await asyncio.to_thread(self._store.release, self.owner)
        except Exception as error:  # they lapse by themselves
            log.warning("leases not given up: %s", error)

    async def _lane(self, tenant: str) -> None:
        """The tenant's jobs, oldest first, one at a time; while the oldest one's items are all in flight
        elsewhere (other processes), it waits a poll before it looks again."""
        while ids := await asyncio.to_thread(self._store.claimable, tenant):
            if not await self.run_job(ids[0]):
                await asyncio.sleep(self._poll_seconds)
            await self._settled()

    def _share(self) -> int:
        """Items of a job in the engine at once: the concurrency, shared between the tenants' lanes."""
        return max(1, self._concurrency // max(1, self._lanes))

    async def _settled(self) -> None:
        if self._settle is not None:
            await self._settle()

    async def run_job(self, job_id: str) -> bool:
        """Every item of one job this runner can claim, `concurrency` at a time over every process; then the
        job is finished, if no item is left in flight elsewhere. False when nothing moved: every item left
        was in flight elsewhere."""
        job = await asyncio.to_thread(self._store.get, job_id)
        if job is None or job.state not in ("queued", "running"):
            return True
        # Marking the job started rewrites a row in place: it succeeds on a full disk, so it is no sign that
        # the store takes new records again (the job would seem unpaused until its next record failed).
        await asyncio.to_thread(self._store.start, job_id)
        log.info("job %s: %d items, %d left", job_id, job.total, job.total - job.done - job.failed)
        running: dict[asyncio.Task[None], int] = {}
        options, ran, renewed = job.options, 0, time.monotonic()
        try:
            while True:
                taken = await self._claim(job_id, list(running.values()))
                for pending in taken:
                    one = self._one(pending, options, job.tenant)
                    running[asyncio.create_task(one)] = pending.position
                ran += len(taken)
                if not running:
                    break
                beat = self._lease_seconds / 3
                finished, _ = await asyncio.wait(running, timeout=beat, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    del running[task]
                    task.result()  # an engine that cannot serve stops the job here, to be resumed
                if time.monotonic() - renewed >= beat:  # the heartbeat: this runner's items stay its own
                    # Not `_write`: a lease rewritten in place succeeds on a full disk, no sign of room.
                    await asyncio.to_thread(self._store.renew, self.owner, job_id, list(running.values()),
                                            self._lease_seconds)  # fmt: skip
                    renewed = time.monotonic()
        except BaseException:  # stopped (an engine shutting down, a store that cannot write): its items
            for task in running:  # go back at once, to this runner or another, not when the leases lapse
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await asyncio.shield(self._release())
            raise
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        done = await self._write(self._store.finish, job_id)
        ended = done is None or done.state not in ("queued", "running")  # else still going elsewhere
        if done is not None and ended:
            log.info("job %s %s: %d done, %d failed", job_id, done.state, done.done, done.failed)
        return ran > 0 or ended

    async def _claim(self, job_id: str, running: list[int]) -> list[PendingItem]:
        room = max(0, self._share() - len(running))  # this replica's lanes share its engine
        claim = functools.partial(  # and the job's concurrency holds over every replica
            self._store.claim, running=running, job_limit=self._concurrency
        )
        return await asyncio.to_thread(claim, job_id, self.owner, room, self._lease_seconds)

    async def _one(self, pending: PendingItem, options: JobOptions, tenant: str) -> None:
        if await asyncio.to_thread(self._store.state, pending.job_id) == "cancelled":
            return  # cancelled between being taken and starting: it was marked so with the others
        caller = ItemCaller(tenant, self.live.listener(pending.job_id, pending.position))
        try:
            record = await process(self._engine, pending.item, options, self._retry_delays, caller)
        finally:
            self.live.ended(pending.job_id, pending.position)
        if not await self._write(self._store.record, pending.job_id, pending.position, record):
            log.info("job %s: item %d was recorded elsewhere first", pending.job_id, pending.position)

    async def _write(self, write: Callable[..., _T], *args: Any) -> _T:
        """A write to the store; one that succeeds means the store writes again: no longer paused."""
        result = await asyncio.to_thread(write, *args)
        self.paused = None
        return result
