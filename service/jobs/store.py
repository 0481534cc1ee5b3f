"""The job store: every job, item and uploaded file, durable in one SQLite file (WAL).

One module owns the database. Each write is one explicit transaction, committed before the caller goes
on: a job is stored before `202` is sent, and an item's record before the next item is taken, so after
a crash (even `kill -9`) nothing acknowledged is lost and nothing already done is done again.

A write the disk refuses (full, an I/O error, the file locked or read-only) is rolled back whole and
raised as `StoreWriteFailed`: the store stays usable, and the same write can be made again once the
cause is gone. The job runner pauses on it, and says why on the job, until then.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.jobs.job import (
    UNFINISHED,
    IdempotencyConflict,
    ItemState,
    Job,
    PendingItem,
    TooManyJobs,
    fingerprint,
    options_json,
)
from service.jobs.records import ItemInput
from service.jobs.rows import ADDED_COLUMNS, INDEXES, SCHEMA, iso, job_of, scoped_key
from service.jobs.work import JobOptions
from service.sqlite_file import StoreFile, StoreWriteFailed, add_missing_columns

log = logging.getLogger(__name__)
_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


class JobStore(StoreFile):
    def __init__(self, path: Path) -> None:
        self._path = path  # named in its write errors, the schema's included
        statements = [statement for statement in SCHEMA.split(";") if statement.strip()]
        super().__init__(path, statements, timeout=5.0)
        with self._transaction() as db:
            add_missing_columns(db, ADDED_COLUMNS)
            for index in INDEXES:
                db.execute(index)
        if self._db.execute("PRAGMA auto_vacuum").fetchone()[0] != _INCREMENTAL:
            log.info("converting %s to incremental vacuum, once", path)
            self._db.execute("VACUUM")  # a file made before retention: its freed pages can be given back
        self._db.execute("PRAGMA foreign_keys=ON")

    def _write_failed(self, error: sqlite3.OperationalError) -> StoreWriteFailed:
        return StoreWriteFailed(f"the job store {self._path} could not write: {error}")

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
        with self._transaction() as db:
            if scoped is not None and (made := _made_with(db, scoped, digest)) is not None:
                return made, False
            if max_active is not None:
                active = db.execute(
                    "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
                ).fetchone()
                if active[0] >= max_active:
                    raise TooManyJobs(f"{active[0]} jobs are queued or running already; at most {max_active}")
            job_id = uuid.uuid4().hex
            db.execute(
                "INSERT INTO jobs (id, tenant, task, options, state, idempotency_key, fingerprint, total,"
                " chars, created, updated) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                (job_id, tenant, options.task, json.dumps(options_json(options)), scoped, digest,
                 len(items), sum(len(i.text) for i in items), now, now),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO items (job_id, position, item_id, file, text, chars, state)"
                " VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                [(job_id, position, i.id, i.file, i.text, len(i.text)) for position, i in enumerate(items)],
            )
            db.executemany(
                "INSERT INTO files (job_id, name, data) VALUES (?, ?, ?)",
                [(job_id, name, data) for name, data in (files or {}).items()],
            )
            return job_of(db, job_id), True

    def made_with(
        self, tenant: str, idempotency_key: str, options: JobOptions, items: Sequence[ItemInput]
    ) -> Job | None:
        """The job this key of the tenant's made for this same submission, if any (IdempotencyConflict if
        it made another): a retried submission is answered before anything is reserved for it."""
        with self._lock:
            return _made_with(self._db, scoped_key(tenant, idempotency_key), fingerprint(options, items))

    def start(self, job_id: str) -> None:
        """Queued → running; a job taken up again after a stop keeps its first start and is `resumed` now
        (its rate, for the ETA, is measured from then)."""
        now = time.time()
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET state = 'running', started = COALESCE(started, ?), resumed = ?, updated = ?"
                " WHERE id = ? AND state IN ('queued', 'running')",
                (now, now, now, job_id),
            )

    def record(self, job_id: str, position: int, record: dict[str, Any]) -> None:
        """An item's record, committed now; an item in flight when its job was cancelled still counts."""
        state: ItemState = "failed" if record.get("error") else "done"
        with self._transaction() as db:
            now = time.time()
            db.execute(
                "UPDATE items SET state = ?, record = ?, finished = ? WHERE job_id = ? AND position = ?",
                (state, json.dumps(record, ensure_ascii=False), now, job_id, position),
            )
            db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (now, job_id))

    def finish(self, job_id: str) -> Job | None:
        """A job with no pending item left: done, or failed when every item failed; None when it was
        deleted meanwhile (a cancelled job deleted while its last items were in flight)."""
        with self._transaction() as db:
            if not _exists(db, job_id, None):
                return None
            job = job_of(db, job_id)
            if job.state in UNFINISHED:
                state = "failed" if job.total and job.failed == job.total else "done"
                now = time.time()
                db.execute(
                    "UPDATE jobs SET state = ?, finished = ?, updated = ? WHERE id = ?",
                    (state, now, now, job_id),
                )
            return job_of(db, job_id)

    def cancel(self, job_id: str, tenant: str | None = None) -> Job | None:
        """Pending items are cancelled (those in flight finish); None when there is no such job (of
        `tenant`, when given)."""
        with self._transaction() as db:
            if not _exists(db, job_id, tenant):
                return None
            now = time.time()
            updated = db.execute(
                "UPDATE jobs SET state = 'cancelled', finished = ?, updated = ?"
                " WHERE id = ? AND state IN ('queued', 'running')",
                (now, now, job_id),
            )
            if updated.rowcount:
                db.execute(
                    "UPDATE items SET state = 'cancelled' WHERE job_id = ? AND state = 'pending'", (job_id,)
                )
            return job_of(db, job_id)

    def delete(self, job_ids: Sequence[str]) -> list[str]:
        """The finished ones of these jobs deleted, rows and uploads; those deleted."""
        with self._transaction() as db:
            marks = ",".join("?" * len(job_ids))
            rows = db.execute(
                f"SELECT id FROM jobs WHERE id IN ({marks}) AND state NOT IN ('queued', 'running')", job_ids
            ).fetchall()
            gone = [row["id"] for row in rows]
            marks = ",".join("?" * len(gone))
            for table, column in (("items", "job_id"), ("files", "job_id"), ("jobs", "id")):
                db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", gone)
        return gone

    def finished_before(self, cutoff: float, limit: int) -> list[str]:
        """Up to `limit` jobs that finished before `cutoff` (seconds since the epoch)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM jobs WHERE state IN ('done', 'failed', 'cancelled') AND finished < ?"
                " ORDER BY finished LIMIT ?",
                (cutoff, limit),
            ).fetchall()
        return [row["id"] for row in rows]

    # -- reads -----------------------------------------------------------------------------------

    def state(self, job_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else str(row["state"])

    def get(self, job_id: str, tenant: str | None = None) -> Job | None:
        """The job; None when there is none (of `tenant`, when given: another's is answered as none)."""
        with self._lock:
            return job_of(self._db, job_id) if _exists(self._db, job_id, tenant) else None

    def newest(self, tenant: str, limit: int, before: str | None = None) -> list[Job]:
        """The tenant's jobs, newest first; `before` a job id: the page after it."""
        with self._lock:
            query, args = "SELECT id FROM jobs WHERE tenant = ?", [tenant]
            if before is not None:
                # Only one's own job places a page: another's would tell that it exists.
                query += " AND (created, id) < (SELECT created, id FROM jobs WHERE id = ? AND tenant = ?)"
                args += [before, tenant]
            args.append(str(limit))
            rows = self._db.execute(query + " ORDER BY created DESC, id DESC LIMIT ?", args).fetchall()
            return [job_of(self._db, row["id"]) for row in rows]

    def unfinished(self, tenant: str | None = None) -> list[str]:
        """Jobs queued or running (of `tenant`, when given), oldest first: the runner's work, in order."""
        query, args = "SELECT id FROM jobs WHERE state IN ('queued', 'running')", []
        if tenant is not None:
            query, args = query + " AND tenant = ?", [tenant]
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created, id", args).fetchall()
            return [row["id"] for row in rows]

    def unfinished_tenants(self) -> list[str]:
        """The tenants with jobs queued or running, the one waiting longest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT tenant FROM jobs WHERE state IN ('queued', 'running') GROUP BY tenant"
                " ORDER BY MIN(created)"
            ).fetchall()
            return [row["tenant"] for row in rows]

    def pending(self, job_id: str, limit: int, skip: Sequence[int] = ()) -> list[PendingItem]:
        """The first `limit` pending items in input order, leaving out the positions in `skip`."""
        with self._lock:
            rows = self._db.execute(
                "SELECT position, item_id, file, text FROM items WHERE job_id = ? AND state = 'pending'"
                " ORDER BY position LIMIT ?",
                (job_id, limit + len(skip)),
            ).fetchall()
        taken = [row for row in rows if row["position"] not in set(skip)][:limit]
        return [
            PendingItem(job_id, row["position"], ItemInput(row["item_id"], row["text"], row["file"]))
            for row in taken
        ]

    def position_of(self, job_id: str, item_id: str) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(position) FROM items WHERE job_id = ? AND item_id = ?", (job_id, item_id)
            ).fetchone()
        return None if row[0] is None else int(row[0])

    def records(self, job_id: str, after: int = -1, limit: int = 200) -> list[tuple[int, dict[str, Any]]]:
        """Finished items' records after input position `after`, in input order, each with the time
        (`finished`, ISO 8601 UTC) it was stored; only up to the first item not finished yet, so that a
        caller paging on with the last id it got never skips an item that finishes later."""
        with self._lock:
            rows = self._db.execute(
                "SELECT position, record, finished FROM items WHERE job_id = ? AND position > ?"
                " AND state IN ('done', 'failed') AND position < COALESCE("
                "(SELECT MIN(position) FROM items WHERE job_id = ? AND state = 'pending'), 1 << 62)"
                " ORDER BY position LIMIT ?",
                (job_id, after, job_id, limit),
            ).fetchall()
        return [
            (row["position"], json.loads(row["record"]) | {"finished": iso(row["finished"])}) for row in rows
        ]

    def file(self, job_id: str, name: str) -> tuple[bytes, dict[str, Any] | None] | None:
        """An uploaded file and its item's record (None until it is done); None if there is no such file."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM files WHERE job_id = ? AND name = ?", (job_id, name)
            ).fetchone()
            if row is None:
                return None
            item = self._db.execute(
                "SELECT record FROM items WHERE job_id = ? AND file = ? AND state IN ('done', 'failed')"
                " ORDER BY position LIMIT 1",
                (job_id, name),
            ).fetchone()
        return bytes(row["data"]), json.loads(item["record"]) if item else None


def _exists(db: sqlite3.Connection, job_id: str, tenant: str | None) -> bool:
    if tenant is None:
        return db.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone() is not None
    found = db.execute("SELECT 1 FROM jobs WHERE id = ? AND tenant = ?", (job_id, tenant)).fetchone()
    return found is not None


def _made_with(db: sqlite3.Connection, scoped: str, digest: str) -> Job | None:
    row = db.execute("SELECT id, fingerprint FROM jobs WHERE idempotency_key = ?", (scoped,)).fetchone()
    if row is None:
        return None
    if row["fingerprint"] != digest:
        raise IdempotencyConflict("this Idempotency-Key was used for a different job")
    return job_of(db, row["id"])
