"""Characters used per tenant, durable, for every API family: the quota, `/v1/usage`, DeepL's `/v2/usage`.
In the service's SQLite file (`GAZETTE_DB`, WAL); the only code that touches these tables.

Work is paid for in two steps. `reserve` takes the characters before any work starts, in one write
transaction (BEGIN IMMEDIATE) that reads what the tenant has used and reserved and refuses past its quota:
two requests can never both take the last characters. `settle` then charges what was served and gives the
rest back, in one transaction too. A reservation made for a job (`attach`) outlives a restart and is
settled once the job ends; one made for a request dies with the process that made it, so it is given back
when the file is next opened.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from service.sqlite_file import StoreFile

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tenant_usage (tenant TEXT PRIMARY KEY, characters INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS reservations (id TEXT PRIMARY KEY, tenant TEXT NOT NULL,"
    " characters INTEGER NOT NULL, job_id TEXT, created REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS reservations_by_tenant ON reservations (tenant)",
)


class QuotaExceeded(Exception):
    def __init__(self, quota: int) -> None:
        super().__init__(f"Quota exceeded: this key may have {quota} characters translated")
        self.quota = quota


@dataclass(frozen=True)
class Reservation:
    id: str | None  # None: nothing was written (no quota to hold), the characters are charged on settling
    tenant: str
    characters: int


@dataclass(frozen=True)
class TenantUsage:
    characters: int  # served and charged
    reserved: int  # taken by work not finished yet (requests in flight, jobs not ended)


class UsageStore(StoreFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def release_orphans(self) -> None:
        """Give back the reservations of requests: called by the server as it starts, when no request is
        in flight, those left are a stopped process's, and nothing would ever settle them."""
        with self._transaction() as db:
            db.execute("DELETE FROM reservations WHERE job_id IS NULL")

    async def reserve(self, tenant: str, characters: int, quota: int | None) -> Reservation:
        """A reservation, committed; `QuotaExceeded` when used and reserved would pass `quota`."""
        return await asyncio.to_thread(self._reserve, tenant, characters, quota)

    async def attach(self, reservation: Reservation, job_id: str) -> None:
        """The reservation is now the job's: kept over restarts, settled when the job ends."""
        if reservation.id is not None:
            await asyncio.to_thread(self._attach, reservation.id, job_id)

    async def settle(self, reservation: Reservation, used: int) -> None:
        """Charge `used` characters and give the rest back; a second settle of one reservation does nothing."""
        if reservation.id is None:
            await asyncio.to_thread(self._charge, reservation.tenant, used)
        else:
            await asyncio.to_thread(self.settle_now, reservation.id, used)

    async def usage(self, tenant: str) -> TenantUsage:
        return await asyncio.to_thread(self._usage, tenant)

    def _reserve(self, tenant: str, characters: int, quota: int | None) -> Reservation:
        reservation = uuid.uuid4().hex
        with self._transaction() as db:
            if quota is not None:
                used = db.execute(_USED, (tenant, tenant)).fetchone()[0]
                if used + characters > quota:
                    raise QuotaExceeded(quota)
            db.execute(
                "INSERT INTO reservations (id, tenant, characters, created) VALUES (?, ?, ?, ?)",
                (reservation, tenant, characters, time.time()),
            )
        return Reservation(reservation, tenant, characters)

    def _attach(self, reservation: str, job_id: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE reservations SET job_id = ? WHERE id = ?", (job_id, reservation))

    def _charge(self, tenant: str, characters: int) -> None:
        with self._transaction() as db:
            _charge(db, tenant, characters)

    def settle_now(self, reservation: str, used: int) -> None:
        with self._transaction() as db:
            row = db.execute("SELECT tenant FROM reservations WHERE id = ?", (reservation,)).fetchone()
            if row is None:
                return
            db.execute("DELETE FROM reservations WHERE id = ?", (reservation,))
            _charge(db, row["tenant"], used)

    def job_reservations(self) -> list[tuple[str, str]]:
        """(reservation, job id) of every job not settled yet."""
        with self._lock:
            rows = self._db.execute("SELECT id, job_id FROM reservations WHERE job_id IS NOT NULL").fetchall()
        return [(row["id"], row["job_id"]) for row in rows]

    def _usage(self, tenant: str) -> TenantUsage:
        with self._lock:
            row = self._db.execute(
                "SELECT (SELECT COALESCE(SUM(characters), 0) FROM tenant_usage WHERE tenant = ?),"
                " (SELECT COALESCE(SUM(characters), 0) FROM reservations WHERE tenant = ?)",
                (tenant, tenant),
            ).fetchone()
        return TenantUsage(int(row[0]), int(row[1]))

    def all_usage(self) -> dict[str, int]:
        """Characters charged, per tenant."""
        with self._lock:
            rows = self._db.execute("SELECT tenant, characters FROM tenant_usage").fetchall()
        return {row["tenant"]: int(row["characters"]) for row in rows}

    def carry_over(self, api_key: str, tenant: str) -> None:
        """A count kept by an earlier version (table `key_usage`, filed by the key's full digest) becomes
        the tenant's, once: the usage of a key from GAZETTE_API_KEYS survives the upgrade."""
        with self._transaction() as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'key_usage'").fetchone():
                return
            digest = hashlib.sha256(api_key.encode()).hexdigest()
            old = db.execute("SELECT characters FROM key_usage WHERE key_digest = ?", (digest,)).fetchone()
            if old is not None:
                _charge(db, tenant, int(old[0]))
                db.execute("DELETE FROM key_usage WHERE key_digest = ?", (digest,))


_USED = (
    "SELECT (SELECT COALESCE(SUM(characters), 0) FROM tenant_usage WHERE tenant = ?)"
    " + (SELECT COALESCE(SUM(characters), 0) FROM reservations WHERE tenant = ?)"
)


def _charge(db: sqlite3.Connection, tenant: str, characters: int) -> None:
    db.execute(
        "INSERT INTO tenant_usage (tenant, characters) VALUES (?, ?)"
        " ON CONFLICT (tenant) DO UPDATE SET characters = characters + excluded.characters",
        (tenant, characters),
    )
