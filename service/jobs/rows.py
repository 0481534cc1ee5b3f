"""A stored job read back as a `Job` (the tables: service/db/migrations.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Connection

from service.db.store import every, one
from service.jobs.job import Job
from service.jobs.work import JobOptions


def scoped_key(tenant: str, idempotency_key: str) -> str:
    """An Idempotency-Key as stored: the tenant's own. (Files made before tenants hold the column as
    UNIQUE, which SQLite cannot change in place; a tenant name has no "/", so this is unambiguous.)"""
    return f"{tenant}/{idempotency_key}"


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="microseconds")


def job_of(db: Connection, job_id: str) -> Job:
    """The job as stored now, with its items counted by state."""
    row = one(db, "SELECT * FROM jobs WHERE id = :job", {"job": job_id})
    assert row is not None, job_id
    counts = {
        found["state"]: (int(found["n"]), int(found["chars"] or 0))
        for found in every(
            db,
            "SELECT state, COUNT(*) AS n, SUM(chars) AS chars FROM items WHERE job_id = :job GROUP BY state",
            {"job": job_id},
        )
    }
    names = every(db, "SELECT name FROM files WHERE job_id = :job ORDER BY name", {"job": job_id})
    recent = one(
        db,
        "SELECT COALESCE(SUM(chars), 0) AS chars FROM items"
        " WHERE job_id = :job AND state = 'done' AND finished >= :since",
        {"job": job_id, "since": row["resumed"] or 0},
    )
    assert recent is not None
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
        chars_since_resumed=int(recent["chars"]),
        files=tuple(name["name"] for name in names),
    )
