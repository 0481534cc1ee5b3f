"""The job store: every job, item and uploaded file, durable in the service's database (`GAZETTE_DB`).

One module owns these tables. Each write is one explicit transaction, committed before the caller goes
on: a job is stored before `202` is sent, and an item's record before the next item is taken, so after
a crash (even `kill -9`) nothing acknowledged is lost and nothing already done is done again.

Items are claimed with leases (`claims.py`), so that any number of processes may work one database's
jobs. A write the database refuses (a full disk, the server gone) is rolled back whole and raised as
`StoreWriteFailed`: the store stays usable, and the same write can be made again once the cause is gone.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, text

from service.db.database import Database
from service.db.store import every, one, run
from service.jobs.claims import Claims
from service.jobs.job import (
    UNFINISHED,
    IdempotencyConflict,
    ItemState,
    Job,
    TooManyJobs,
    fingerprint,
    options_json,
)
from service.jobs.records import ItemInput
from service.jobs.rows import iso, job_of, scoped_key
from service.jobs.work import JobOptions

NEW_WORK = "gazette_jobs"  # the channel a new job is announced on (PostgreSQL's NOTIFY)


class JobStore(Claims):
    def __init__(self, where: Database | str | Path) -> None:
        super().__init__(where)

    # -- writes ----------------------------------------------------------------------------------

    def create(
        self,
        tenant: str,
        options: JobOptions,
        items: Sequence[ItemInput],
        files: dict[str, bytes] | None = None,
        idempotency_key: str | None = None,
        max_active: int | None = None,
    ) -> tuple[Job, bool]:
        """Store a new job (queued) of `tenant` with its items and files; `(job, created)`. A key the tenant
        already used for the same submission returns that job (`created` False); for another, IdempotencyConflict.
        With `max_active` jobs queued or running already, TooManyJobs (a replay is still answered)."""
        digest = fingerprint(options, items)
        now = time.time()
        scoped = None if idempotency_key is None else scoped_key(tenant, idempotency_key)
        with self._write() as db:
            self.database.lock(db, "jobs")  # replicas count the jobs queued and the keys used in turn
            if scoped is not None and (made := _made_with(db, scoped, digest)) is not None:
                return made, False
            if max_active is not None:
                active = run(
                    db, "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
                ).scalar_one()
                if active >= max_active:
                    raise TooManyJobs(f"{active} jobs are queued or running already; at most {max_active}")
            job_id = uuid.uuid4().hex
            run(db,
                "INSERT INTO jobs (id, tenant, task, options, state, idempotency_key, fingerprint, total,"
                " chars, created, updated) VALUES (:id, :tenant, :task, :options, 'queued', :key, :digest,"
                " :total, :chars, :now, :now)",
                {"id": job_id, "tenant": tenant, "task": options.task, "key": scoped, "digest": digest,
                 "options": json.dumps(options_json(options)), "total": len(items),
                 "chars": sum(len(i.text) for i in items), "now": now})  # fmt: skip
            if items:
                run(db,
                    "INSERT INTO items (job_id, position, item_id, file, text, chars, state)"
                    " VALUES (:job, :position, :item, :file, :text, :chars, 'pending')",
                    [{"job": job_id, "position": position, "item": i.id, "file": i.file, "text": i.text,
                      "chars": len(i.text)} for position, i in enumerate(items)])  # fmt: skip
            if files:
                run(db, "INSERT INTO files (job_id, name, data) VALUES (:job, :name, :data)",
                    [{"job": job_id, "name": name, "data": data} for name, data in files.items()])  # fmt: skip
            self.database.notify(db, NEW_WORK)
            return job_of(db, job_id), True

    def made_with(
        self, tenant: str, idempotency_key: str, options: JobOptions, items: Sequence[ItemInput]
    ) -> Job | None:
        """The job this key of the tenant's made for this same submission, if any (IdempotencyConflict if
        it made another): a retried submission is answered before anything is reserved for it."""
        with self._read() as db:
            return _made_with(db, scoped_key(tenant, idempotency_key), fingerprint(options, items))

    def start(self, job_id: str) -> None:
        """Queued → running; a job taken up again after a stop keeps its first start and is `resumed` now
        (its rate, for the ETA, is measured from then)."""
        now = time.time()
        with self._write() as db:
            run(db,
                "UPDATE jobs SET state = 'running', started = COALESCE(started, :now), resumed = :now,"
                " updated = :now WHERE id = :job AND state IN ('queued', 'running')",
                {"now": now, "job": job_id})  # fmt: skip

    def record(self, job_id: str, position: int, record: dict[str, Any]) -> bool:
        """An item's record, committed now; an item in flight when its job was cancelled still counts.
        Recorded once: False when it was recorded already (by another process whose lease it outlived)."""
        state: ItemState = "failed" if record.get("error") else "done"
        with self._write() as db:
            now = time.time()
            stored = run(db,
                "UPDATE items SET state = :state, record = :record, finished = :now, lease_owner = NULL,"
                " lease_until = NULL WHERE job_id = :job AND position = :position"
                " AND state IN ('pending', 'cancelled')",
                {"state": state, "record": json.dumps(record, ensure_ascii=False), "now": now,
                 "job": job_id, "position": position})  # fmt: skip
            run(db, "UPDATE jobs SET updated = :now WHERE id = :job", {"now": now, "job": job_id})
            return stored.rowcount > 0

    def finish(self, job_id: str) -> Job | None:
        """A job with no pending item left: done, or failed when every item failed; None when it was
        deleted meanwhile (a cancelled job deleted while its last items were in flight). A job with items
        still pending (another process is working them) is left as it is."""
        with self._write() as db:
            if not _exists(db, job_id, None):
                return None
            job = job_of(db, job_id)
            pending = job.total - job.done - job.failed - job.cancelled
            if job.state in UNFINISHED and pending == 0:
                state = "failed" if job.total and job.failed == job.total else "done"
                now = time.time()
                run(db, "UPDATE jobs SET state = :state, finished = :now, updated = :now WHERE id = :job",
                    {"state": state, "now": now, "job": job_id})  # fmt: skip
                run(db, "DELETE FROM job_claimants WHERE job_id = :job", {"job": job_id})  # nothing to share
            return job_of(db, job_id)

    def cancel(self, job_id: str, tenant: str | None = None) -> Job | None:
        """Pending items are cancelled (those in flight finish); None when there is no such job (of
        `tenant`, when given)."""
        with self._write() as db:
            if not _exists(db, job_id, tenant):
                return None
            now = time.time()
            updated = run(db,
                "UPDATE jobs SET state = 'cancelled', finished = :now, updated = :now"
                " WHERE id = :job AND state IN ('queued', 'running')", {"now": now, "job": job_id})  # fmt: skip
            if updated.rowcount:
                run(db, "UPDATE items SET state = 'cancelled' WHERE job_id = :job AND state = 'pending'",
                    {"job": job_id})  # fmt: skip
            return job_of(db, job_id)

    def delete(self, job_ids: Sequence[str]) -> list[str]:
        """The finished ones of these jobs deleted, rows and uploads; those deleted."""
        ids: BindParameter[Any] = bindparam("ids", expanding=True)
        with self._write() as db:
            found = db.execute(
                text("SELECT id FROM jobs WHERE id IN :ids AND state NOT IN ('queued', 'running')")
                .bindparams(ids), {"ids": list(job_ids)}
            ).mappings()  # fmt: skip
            gone = [row["id"] for row in found]
            for table, column in (("items", "job_id"), ("files", "job_id"), ("jobs", "id")):
                db.execute(text(f"DELETE FROM {table} WHERE {column} IN :ids").bindparams(ids), {"ids": gone})
        return gone

    def finished_before(self, cutoff: float, limit: int) -> list[str]:
        """Up to `limit` jobs that finished before `cutoff` (seconds since the epoch)."""
        with self._read() as db:
            rows = every(db,
                "SELECT id FROM jobs WHERE state IN ('done', 'failed', 'cancelled') AND finished < :cutoff"
                " ORDER BY finished LIMIT :limit", {"cutoff": cutoff, "limit": limit})  # fmt: skip
        return [row["id"] for row in rows]

    # -- reads -----------------------------------------------------------------------------------

    def state(self, job_id: str) -> str | None:
        with self._read() as db:
            row = one(db, "SELECT state FROM jobs WHERE id = :job", {"job": job_id})
        return None if row is None else str(row["state"])

    def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        """The job; None when there is none (of `tenant`, when given: another's is answered as none)."""
        with self._read() as db:
            return job_of(db, job_id) if _exists(db, job_id, tenant) else None

    def newest(self, tenant: str, limit: int, before: str | None = None) -> list[Job]:
        """The tenant's jobs, newest first; `before` a job id: the page after it."""
        query, args = "SELECT id FROM jobs WHERE tenant = :tenant", {"tenant": tenant, "limit": limit}
        if before is not None:
            # Only one's own job places a page: another's would tell that it exists.
            query += (
                " AND (created, id) < (SELECT created, id FROM jobs WHERE id = :before AND tenant = :tenant)"
            )
            args["before"] = before
        with self._read() as db:
            rows = every(db, query + " ORDER BY created DESC, id DESC LIMIT :limit", args)
            return [job_of(db, row["id"]) for row in rows]

    def position_of(self, job_id: str, item_id: str) -> int | None:
        with self._read() as db:
            found = run(db, "SELECT MIN(position) FROM items WHERE job_id = :job AND item_id = :item",
                        {"job": job_id, "item": item_id}).scalar()  # fmt: skip
        return None if found is None else int(found)

    def records(self, job_id: str, after: int = -1, limit: int = 200) -> list[tuple[int, dict[str, Any]]]:
        """Finished items' records after input position `after`, in input order, each with the time
        (`finished`, ISO 8601 UTC) it was stored; only up to the first item not finished yet, so that a
        caller paging on with the last id it got never skips an item that finishes later."""
        with self._read() as db:
            rows = every(db,
                "SELECT position, record, finished FROM items WHERE job_id = :job AND position > :after"
                " AND state IN ('done', 'failed') AND position < COALESCE("
                "(SELECT MIN(position) FROM items WHERE job_id = :job AND state = 'pending'), 2147483647)"
                " ORDER BY position LIMIT :limit", {"job": job_id, "after": after, "limit": limit})  # fmt: skip
        return [
            (row["position"], json.loads(row["record"]) | {"finished": iso(row["finished"])}) for row in rows
        ]

    def file(self, job_id: str, name: str) -> tuple[bytes, dict[str, Any] | None] | None:
        """An uploaded file and its item's record (None until it is done); None if there is no such file."""
        with self._read() as db:
            row = one(db, "SELECT data FROM files WHERE job_id = :job AND name = :name",
                      {"job": job_id, "name": name})  # fmt: skip
            if row is None:
                return None
            item = one(db,
                "SELECT record FROM items WHERE job_id = :job AND file = :name AND state IN ('done', 'failed')"
                " ORDER BY position LIMIT 1", {"job": job_id, "name": name})  # fmt: skip
        return bytes(row["data"]), json.loads(item["record"]) if item else None


def _exists(db: Connection, job_id: str, tenant: str | None) -> bool:
    if tenant is None:
        return one(db, "SELECT 1 AS found FROM jobs WHERE id = :job", {"job": job_id}) is not None
    found = one(db, "SELECT 1 AS found FROM jobs WHERE id = :job AND tenant = :tenant",
                {"job": job_id, "tenant": tenant})  # fmt: skip
    return found is not None


def _made_with(db: Connection, scoped: str, digest: str) -> Job | None:
    row = one(db, "SELECT id, fingerprint FROM jobs WHERE idempotency_key = :key", {"key": scoped})
    if row is None:
        return None
    if row["fingerprint"] != digest:
        raise IdempotencyConflict("this Idempotency-Key was used for a different job")
    return job_of(db, row["id"])
