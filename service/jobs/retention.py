"""Retention (GAZETTE_RETENTION_DAYS): jobs finished longer ago than that are deleted, with their uploads,
results and what other stores keep of them (DeepL's document keys), and their space is given back to the
disk. A supervised sweep, run as the service starts and then every hour: an error is logged and the next
sweep tries again; nothing a sweep deletes is needed by anyone (unfinished jobs are never touched).
"""

from __future__ import annotations

import asyncio
import logging
import time

from service.jobs.jobs import Jobs

log = logging.getLogger(__name__)

SWEEP_SECONDS = 3600.0
# Jobs deleted per write transaction: each holds the file's write lock only briefly, so submissions and
# records interleave with a long sweep.
BATCH = 200
DAY = 86_400.0


async def sweep(jobs: Jobs, days: float, now: float | None = None) -> int:
    """Delete every job finished more than `days` ago; how many were deleted."""
    cutoff = (time.time() if now is None else now) - days * DAY
    deleted = 0
    while batch := await jobs.finished_before(cutoff, BATCH):
        gone = await jobs.delete(batch)
        deleted += len(gone)
        if len(gone) < len(batch):  # taken up again meanwhile (cannot happen to a finished job): stop
            break
    return deleted


async def sweep_forever(jobs: Jobs, days: float, every: float = SWEEP_SECONDS) -> None:
    while True:
        try:
            deleted = await sweep(jobs, days)
            if deleted:
                log.info("retention: %d jobs finished over %g days ago deleted", deleted, days)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("retention sweep failed; trying again in %g s", every)
        await asyncio.sleep(every)
