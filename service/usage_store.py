"""Characters used per tenant, durable, for every API family: the quota, `/v1/usage`, DeepL's `/v2/usage`.
In the service's database (`GAZETTE_DB`); the only code that touches these tables.

Work is paid for in two steps. `reserve` takes the characters before any work starts, in one write
transaction that reads what the tenant has used and reserved and refuses past its quota, holding the
tenant's lock meanwhile (SQLite's one writer; a PostgreSQL advisory lock, over every replica): two
requests can never both take the last characters. `settle` then charges what was served and gives the
rest back, in one transaction too. A reservation made for a job (`attach`) outlives a restart and is
settled once the job ends. One made for a request is leased to the process that made it (`owner`), until
`lease_until`, which that process's heartbeat (`renew`) keeps moving: a process that dies renews nothing, and
any replica's heartbeat gives its reservations back once they lapse (`release_expired`). A reservation given
back under a process that was only cut off, not dead, is still charged when it settles: what was served is
counted, even though the quota may then be passed by what that process had in flight.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, inspect

from service.db.database import Database
from service.db.store import Store, every, one, run


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


LEASE_SECONDS = 60.0


class UsageStore(Store):
    def __init__(self, where: Database | str | Path, *, lease_seconds: float = LEASE_SECONDS) -> None:
        super().__init__(where)
        self.owner = uuid.uuid4().hex[:12]  # this process, as its requests' reservations name it
        self.lease_seconds = lease_seconds

    def release_orphans(self) -> int:
        """Give back the reservations of stopped processes' requests, as the server starts (nothing would
        ever settle them); how many. On a SQLite file, which one process serves, every request's is a
        stopped process's; on PostgreSQL only those whose lease lapsed (the others are live replicas')."""
        if self.database.postgres:
            return self.release_expired()
        with self._write() as db:
            return run(db, "DELETE FROM reservations WHERE job_id IS NULL").rowcount

    def renew(self) -> int:
        """The heartbeat: this process's requests' reservations last `lease_seconds` from now; how many."""
        with self._write() as db:
            renewed = run(db,
                "UPDATE reservations SET lease_until = :until WHERE owner = :owner AND job_id IS NULL",
                {"until": time.time() + self.lease_seconds, "owner": self.owner})  # fmt: skip
        return renewed.rowcount

    def release_expired(self) -> int:
        """Give back every request's reservation whose lease lapsed (its process stopped renewing it: it
        died), whichever process made it; how many. Without a lease: made before leases were kept."""
        with self._write() as db:
            released = run(db,
                "DELETE FROM reservations WHERE job_id IS NULL AND (lease_until IS NULL OR lease_until < :now)",
                {"now": time.time()})  # fmt: skip
        return released.rowcount

    async def reserve(self, tenant: str, characters: int, quota: int | None) -> Reservation:
        """A reservation, committed; `QuotaExceeded` when used and reserved would pass `quota`."""
        return await asyncio.to_thread(self._reserve, tenant, characters, quota)

    async def attach(self, reservation: Reservation, job_id: str) -> None:
        """The reservation is now the job's: kept over restarts, settled when the job ends."""
        if reservation.id is not None:
            await asyncio.to_thread(self._attach, reservation, job_id)

    async def settle(self, reservation: Reservation, used: int) -> None:
        """Charge `used` characters and give the rest back: a request's reservation, settled once by the
        process that made it (a job's is settled by `settle_now`, which any replica may call twice)."""
        if reservation.id is None:
            await asyncio.to_thread(self._charge, reservation.tenant, used)
        else:
            await asyncio.to_thread(self._settle_request, reservation, used)

    async def usage(self, tenant: str) -> TenantUsage:
        return await asyncio.to_thread(self._usage, tenant)

    def _reserve(self, tenant: str, characters: int, quota: int | None) -> Reservation:
        reservation = uuid.uuid4().hex
        with self._write() as db:
            if quota is not None:
                self.database.lock(db, f"usage/{tenant}")
                used = run(db, _USED, {"tenant": tenant}).scalar_one()
                if used + characters > quota:
                    raise QuotaExceeded(quota)
            now = time.time()
            run(db,
                "INSERT INTO reservations (id, tenant, characters, created, owner, lease_until)"
                " VALUES (:id, :tenant, :n, :now, :owner, :until)",
                {"id": reservation, "tenant": tenant, "n": characters, "now": now, "owner": self.owner,
                 "until": now + self.lease_seconds})  # fmt: skip
        return Reservation(reservation, tenant, characters)

    def _attach(self, reservation: Reservation, job_id: str) -> None:
        with self._write() as db:  # a job's: no lease, it lasts until the job ends, on whichever replica
            attached = run(db,
                "UPDATE reservations SET job_id = :job, owner = NULL, lease_until = NULL WHERE id = :id",
                {"job": job_id, "id": reservation.id})  # fmt: skip
            if attached.rowcount == 0:  # given back while this process was cut off: the job still needs it
                run(db,
                    "INSERT INTO reservations (id, tenant, characters, created, job_id)"
                    " VALUES (:id, :tenant, :n, :now, :job)",
                    {"id": reservation.id, "tenant": reservation.tenant, "n": reservation.characters,
                     "now": time.time(), "job": job_id})  # fmt: skip

    def _charge(self, tenant: str, characters: int) -> None:
        with self._write() as db:
            _charge(db, tenant, characters)

    def settle_now(self, reservation: str, used: int) -> None:
        with self._write() as db:
            # Deleted first, and only by one: a settle on two replicas at once charges once.
            row = one(db, "DELETE FROM reservations WHERE id = :id RETURNING tenant", {"id": reservation})
            if row is not None:
                _charge(db, row["tenant"], used)

    def _settle_request(self, reservation: Reservation, used: int) -> None:
        """A request's, settled once by the process that made it: charged even where its lease lapsed
        and another replica gave it back (this process was cut off, not dead), since `used` was served."""
        with self._write() as db:
            run(db, "DELETE FROM reservations WHERE id = :id", {"id": reservation.id})
            _charge(db, reservation.tenant, used)

    def job_reservations(self) -> list[tuple[str, str]]:
        """(reservation, job id) of every job not settled yet."""
        with self._read() as db:
            rows = every(db, "SELECT id, job_id FROM reservations WHERE job_id IS NOT NULL")
        return [(row["id"], row["job_id"]) for row in rows]

    def _usage(self, tenant: str) -> TenantUsage:
        with self._read() as db:
            row = one(db,
                "SELECT (SELECT COALESCE(SUM(characters), 0) FROM tenant_usage WHERE tenant = :tenant) AS used,"
                " (SELECT COALESCE(SUM(characters), 0) FROM reservations WHERE tenant = :tenant) AS reserved",
                {"tenant": tenant})  # fmt: skip
        assert row is not None
        return TenantUsage(int(row["used"]), int(row["reserved"]))

    def all_usage(self) -> dict[str, int]:
        """Characters charged, per tenant."""
        with self._read() as db:
            rows = every(db, "SELECT tenant, characters FROM tenant_usage")
        return {row["tenant"]: int(row["characters"]) for row in rows}

    def carry_over(self, api_key: str, tenant: str) -> None:
        """A count kept by an earlier version (table `key_usage`, filed by the key's full digest) becomes
        the tenant's, once: the usage of a key from GAZETTE_API_KEYS survives the upgrade."""
        with self._write() as db:
            if not inspect(db).has_table("key_usage"):
                return
            digest = hashlib.sha256(api_key.encode()).hexdigest()
            old = one(db, "SELECT characters FROM key_usage WHERE key_digest = :digest", {"digest": digest})
            if old is not None:
                _charge(db, tenant, int(old["characters"]))
                run(db, "DELETE FROM key_usage WHERE key_digest = :digest", {"digest": digest})


_USED = (
    "SELECT (SELECT COALESCE(SUM(characters), 0) FROM tenant_usage WHERE tenant = :tenant)"
    " + (SELECT COALESCE(SUM(characters), 0) FROM reservations WHERE tenant = :tenant)"
)


def _charge(db: Connection, tenant: str, characters: int) -> None:
    run(db,
        "INSERT INTO tenant_usage (tenant, characters) VALUES (:tenant, :n) ON CONFLICT (tenant)"
        " DO UPDATE SET characters = tenant_usage.characters + excluded.characters",
        {"tenant": tenant, "n": characters})  # fmt: skip
