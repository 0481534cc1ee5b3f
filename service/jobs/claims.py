"""Job items claimed with leases, so that any number of processes on one database share its jobs.

A process claims pending items for itself until `lease_until`, renews the leases while it works them
(heartbeats), and records each item once it is done (the record clears the lease). A process that dies
renews nothing: its leases lapse, and the items are anyone's to claim again. An item recorded already
is never recorded again (JobStore.record), so an item worked twice (its lease lapsed under a slow
process) still counts once.

On PostgreSQL a claim takes free items with `FOR UPDATE SKIP LOCKED` (replicas claiming at once pass
over each other's rows instead of waiting); on SQLite the file's one writer (BEGIN IMMEDIATE) makes
claims take turns.

A job's concurrency (GAZETTE_JOB_CONCURRENCY, `job_limit`) holds over every process: a claim counts the
job's items leased by others, in the claim's own transaction, under a lock on the job (claims of one job
take turns, so two cannot both take the last room). Held over all alone, it would keep a second replica
off a job the first keeps full, since the first claims again the moment an item ends; so every process
trying to work a job is its claimant (`job_claimants`, a row renewed by each claim, lapsing with the lease),
and each takes at most its share, the concurrency divided among the claimants, rounded up. A claimant
that holds more than its share (it was alone) claims nothing until it is down to its share.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text

from service.db.store import Store, every, one, run
from service.jobs.job import PendingItem
from service.jobs.records import ItemInput

_FREE = "state = 'pending' AND (lease_until IS NULL OR lease_until < :now)"
_LEASED = "state = 'pending' AND lease_until >= :now"  # held by a live lease (a NULL one is free)


class Claims(Store):
    def claim(
        self,
        job_id: str,
        owner: str,
        limit: int,
        lease_seconds: float,
        *,
        running: Sequence[int] = (),
        job_limit: int | None = None,
    ) -> list[PendingItem]:
        """Up to `limit` free items of the job, first ones first, leased to `owner` for `lease_seconds`.
        Free: no live lease, or one of `owner`'s own that it is not running (an item whose record a full
        disk refused). With `job_limit`, `owner` (running `running`) takes no more than its share of it
        over every process (see the module's note); None: only `limit` counts."""
        if limit <= 0:
            return []
        now = time.time()
        with self._write() as db:
            if job_limit is not None:
                share = self._share_left(db, job_id, owner, job_limit, len(running), now, lease_seconds)
                limit = min(limit, share)
                if limit <= 0:
                    return []  # the claimant's row is committed: the others make room for it
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

    def _share_left(
        self, db: Connection, job_id: str, owner: str, job_limit: int, running: int, now: float, lease: float
    ) -> int:
        """How many more items `owner`, running `running` of the job, may take now: within the job's
        limit over every process, and within its share of it among the job's claimants."""
        self.database.lock(db, f"claims/{job_id}")  # the counts below hold until this claim commits
        job = {"job": job_id, "owner": owner, "now": now}
        run(db, "DELETE FROM job_claimants WHERE job_id = :job AND until < :now", job)
        run(db,
            "INSERT INTO job_claimants (job_id, owner, until) VALUES (:job, :owner, :until)"
            " ON CONFLICT (job_id, owner) DO UPDATE SET until = excluded.until",
            {**job, "until": now + lease})  # fmt: skip
        # Claimants: those that claimed within a lease, and any holding a live lease (a renewed one).
        counts = one(db,
            f"SELECT (SELECT COUNT(*) FROM items WHERE job_id = :job AND {_LEASED} AND lease_owner <> :owner)"
            " AS others, (SELECT COUNT(*) FROM (SELECT owner FROM job_claimants WHERE job_id = :job UNION"
            f" SELECT lease_owner FROM items WHERE job_id = :job AND {_LEASED}) AS live) AS claimants",
            job)  # fmt: skip
        assert counts is not None
        share = math.ceil(job_limit / max(1, int(counts["claimants"])))
        return min(job_limit - int(counts["others"]), share) - running

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
            run(db, "DELETE FROM job_claimants WHERE owner = :owner", {"owner": owner})

    def release_all(self) -> None:
        """Every lease given up: on a SQLite file, which one process serves, those left are a stopped
        process's, and the items they hold can be taken up at once."""
        with self._write() as db:
            run(db, "UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
            run(db, "DELETE FROM job_claimants")

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
