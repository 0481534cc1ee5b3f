"""Job items claimed with leases, so that any number of processes on one database share its jobs.

A process claims pending items for itself until `lease_until`, renews the leases while it works them
(heartbeats), and records each item once it is done (the record clears the lease). A process that dies
renews nothing: its leases lapse, and the items are anyone's to claim again. An item recorded already
is never recorded again (JobStore.record), so an item worked twice (its lease lapsed under a slow
process) still counts once.

On PostgreSQL a claim takes free items with `FOR UPDATE SKIP LOCKED` (replicas claiming at once pass
over each other's rows instead of waiting); on SQLite the file's one writer (BEGIN IMMEDIATE) makes
claims take turns. A job's concurrency (GAZETTE_JOB_CONCURRENCY) is each process's: it sizes what one
engine takes of a job at once, so that its batches stay full and interactive work is not behind much;
replicas add their engines to a job. (Held over every process, it kept a second replica off a job the
first kept full: the first claims again the moment an item ends.)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, bindparam, text

from service.db.store import Store, every, run
from service.jobs.job import PendingItem
from service.jobs.records import ItemInput

_FREE = "state = 'pending' AND (lease_until IS NULL OR lease_until < :now)"


class Claims(Store):
    def claim(
        self, job_id: str, owner: str, limit: int, lease_seconds: float, *, running: Sequence[int] = ()
    ) -> list[PendingItem]:
        """Up to `limit` free items of the job, first ones first, leased to `owner` for `lease_seconds`.
        Free: no live lease, or one of `owner`'s own that it is not running (an item whose record a full
        disk refused)."""
        if limit <= 0:
            return []
        now = time.time()
        with self._write() as db:
            running_in: BindParameter[Any] = bindparam("running", expanding=True)
            skip_locked = " FOR UPDATE SKIP LOCKED" if self.database.postgres else ""
            # The items picked once (MATERIALIZED): as a plain IN (subquery), PostgreSQL may run the
            # subquery again while it updates, and its LIMIT held for nothing (six of six items taken).
            rows = db.execute(text(
                "WITH picked AS MATERIALIZED (SELECT position FROM items WHERE job_id = :job"
                " AND state = 'pending' AND position NOT IN :running"
                " AND (lease_until IS NULL OR lease_until < :now OR lease_owner = :owner)"
                f" ORDER BY position LIMIT :limit{skip_locked})"
                " UPDATE items SET lease_owner = :owner, lease_until = :until WHERE job_id = :job"
                " AND position IN (SELECT position FROM picked) RETURNING position, item_id, file, text"
            ).bindparams(running_in),
                {"owner": owner, "until": now + lease_seconds, "job": job_id, "now": now, "limit": limit,
                 "running": list(running)}).mappings().all()  # fmt: skip
        return sorted(
            (PendingItem(job_id, row["position"], ItemInput(row["item_id"], row["text"], row["file"]))
             for row in rows), key=lambda item: item.position)  # fmt: skip

    def renew(self, owner: str, job_id: str, positions: Sequence[int], lease_seconds: float) -> int:
        """The heartbeat: `owner`'s leases on these items run `lease_seconds` from now; how many it held."""
        if not positions:
            return 0
        with self._write() as db:
            renewed = db.execute(
                text("UPDATE items SET lease_until = :until WHERE job_id = :job AND position IN :positions"
                     " AND lease_owner = :owner AND state = 'pending'").bindparams(
                         bindparam("positions", expanding=True)),
                {"until": time.time() + lease_seconds, "job": job_id, "positions": list(positions),
                 "owner": owner})  # fmt: skip
            return renewed.rowcount

    def release(self, owner: str) -> None:
        """Every lease of `owner` given up now (it stops: others need not wait for them to lapse)."""
        with self._write() as db:
            run(db, "UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = :owner",
                {"owner": owner})  # fmt: skip

    def release_all(self) -> None:
        """Every lease given up: on a SQLite file, which one process serves, those left are a stopped
        process's, and the items they hold can be taken up at once."""
        with self._write() as db:
            run(db, "UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")

    # -- what there is to do ---------------------------------------------------------------------

    def unfinished(self, tenant: str | None = None) -> list[str]:
        """Jobs queued or running (of `tenant`, when given), oldest first."""
        query, args = "SELECT id FROM jobs WHERE state IN ('queued', 'running')", {}
        if tenant is not None:
            query, args = query + " AND tenant = :tenant", {"tenant": tenant}
        with self._read() as db:
            return [row["id"] for row in every(db, query + " ORDER BY created, id", args)]

    def claimable(self, tenant: str) -> list[str]:
        """The tenant's unfinished jobs with items free to claim, or with none pending (to be finished),
        oldest first: a lane's work, in order."""
        with self._read() as db:
            rows = every(db,
                "SELECT id FROM jobs j WHERE state IN ('queued', 'running') AND tenant = :tenant AND ("
                f"EXISTS (SELECT 1 FROM items WHERE job_id = j.id AND {_FREE})"
                " OR NOT EXISTS (SELECT 1 FROM items WHERE job_id = j.id AND state = 'pending'))"
                " ORDER BY created, id", {"tenant": tenant, "now": time.time()})  # fmt: skip
        return [row["id"] for row in rows]

    def claimable_tenants(self) -> list[str]:
        """The tenants with jobs to work here now (see `claimable`), the one waiting longest first."""
        with self._read() as db:
            rows = every(db,
                "SELECT tenant FROM jobs j WHERE state IN ('queued', 'running') AND ("
                f"EXISTS (SELECT 1 FROM items WHERE job_id = j.id AND {_FREE})"
                " OR NOT EXISTS (SELECT 1 FROM items WHERE job_id = j.id AND state = 'pending'))"
                " GROUP BY tenant ORDER BY MIN(created)", {"now": time.time()})  # fmt: skip
        return [row["tenant"] for row in rows]

    def pending(self, job_id: str, limit: int, skip: Sequence[int] = ()) -> list[PendingItem]:
        """The first `limit` pending items in input order, leaving out the positions in `skip` (a read:
        nothing is claimed)."""
        with self._read() as db:
            rows = every(db,
                "SELECT position, item_id, file, text FROM items WHERE job_id = :job AND state = 'pending'"
                " ORDER BY position LIMIT :limit", {"job": job_id, "limit": limit + len(skip)})  # fmt: skip
        taken = [row for row in rows if row["position"] not in set(skip)][:limit]
        return [
            PendingItem(job_id, row["position"], ItemInput(row["item_id"], row["text"], row["file"]))
            for row in taken
        ]
