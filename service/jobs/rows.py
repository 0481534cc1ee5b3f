"""The job store's tables, and a stored job read back as a `Job`: the SQL that `store.py` builds on."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from service.jobs.job import Job
from service.jobs.work import JobOptions

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL DEFAULT 'anonymous',
    task TEXT NOT NULL,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,  -- "tenant/key": a tenant's own (see scoped_key)
    fingerprint TEXT NOT NULL,
    total INTEGER NOT NULL,
    chars INTEGER NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    started REAL,
    resumed REAL,
    finished REAL
);
CREATE TABLE IF NOT EXISTS items (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    file TEXT,
    text TEXT NOT NULL,
    chars INTEGER NOT NULL,
    state TEXT NOT NULL,
    record TEXT,
    finished REAL,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, finished);
CREATE INDEX IF NOT EXISTS items_by_state ON items (job_id, state, position);
CREATE TABLE IF NOT EXISTS files (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (job_id, name)
);
"""


# Added since the first files were made: (table, column, definition), added where missing.
ADDED_COLUMNS = (("jobs", "tenant", "TEXT NOT NULL DEFAULT 'anonymous'"),)
# After the columns they name exist.
INDEXES = ("CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, created, id)",)


def scoped_key(tenant: str, idempotency_key: str) -> str:
    """An Idempotency-Key as stored: the tenant's own. (Files made before tenants hold the column as
    UNIQUE, which SQLite cannot change in place; a tenant name has no "/", so this is unambiguous.)"""
    return f"{tenant}/{idempotency_key}"


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds")


def job_of(db: sqlite3.Connection, job_id: str) -> Job:
    """The job as stored now, with its items counted by state."""
    row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    counts = {
        state: (count, chars)
        for state, count, chars in db.execute(
            "SELECT state, COUNT(*), SUM(chars) FROM items WHERE job_id = ? GROUP BY state",
            (job_id,),
        )
    }
    names = db.execute("SELECT name FROM files WHERE job_id = ? ORDER BY name", (job_id,)).fetchall()
    recent = db.execute(
        "SELECT COALESCE(SUM(chars), 0) FROM items WHERE job_id = ? AND state = 'done' AND finished >= ?",
        (job_id, row["resumed"] or 0),
    ).fetchone()[0]
    options = json.loads(row["options"])
    return Job(
        id=row["id"],
        tenant=row["tenant"],
        task=row["task"],
        options=JobOptions(options["task"], options["source_lang"], options["glossary"], options["bullets"]),
        state=row["state"],
        total=row["total"],
        done=counts.get("done", (0, 0))[0],
        failed=counts.get("failed", (0, 0))[0],
        cancelled=counts.get("cancelled", (0, 0))[0],
        chars=row["chars"],
        chars_done=sum(counts.get(state, (0, 0))[1] or 0 for state in ("done", "failed")),
        chars_served=counts.get("done", (0, 0))[1] or 0,
        created=row["created"],
        updated=row["updated"],
        started=row["started"],
        finished=row["finished"],
        resumed=row["resumed"],
        chars_since_resumed=int(recent),
        files=tuple(name["name"] for name in names),
    )
