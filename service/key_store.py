"""API keys made by `gazette keys add`, durable in the service's database (`GAZETTE_DB`): the only
code that touches their table. A key is never stored: only its SHA-256, so the file alone lets nobody in.

A key is 32 random bytes (URL-safe base64), so its digest names it as surely as the key itself, and
finding it by digest (an index lookup) tells a timing observer nothing about any key. A revoked key keeps
its row (for `keys list`) with the time it was revoked, and is refused from the next request on: every
request looks its key up here, nothing is cached.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.db.database import Database
from service.db.store import Store, every, one, run

# A tenant's name: safe to log and to show; "anonymous" and "key-…" are the service's own tenants.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
# last_used is written at most this often per key: a write (fsync) per request would cost more than
# the request; "last used" to the minute is what an operator reads it for.
TOUCH_SECONDS = 60.0


class KeyNameRefused(ValueError):
    """A name that cannot be a tenant's, or one an active key has already."""


@dataclass(frozen=True)
class StoredKey:
    name: str
    quota: int | None  # characters; None: GAZETTE_CHARACTER_QUOTA
    rate: int | None  # requests a minute; None: GAZETTE_RATE_LIMIT
    created: float
    last_used: float | None
    revoked: float | None


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name) or name == "anonymous" or name.startswith("key-"):
        raise KeyNameRefused(
            f"{name!r}: a key's name is 1-64 letters, digits, '_', '.', '@' or '-', and neither"
            " 'anonymous' nor 'key-…' (the service's own tenants)"
        )
    return name


class KeyStore(Store):
    def __init__(self, where: Database | str | Path) -> None:
        super().__init__(where)

    def add(self, name: str, quota: int | None = None, rate: int | None = None) -> str:
        """A new random key for `name`, committed; returned once, never stored. A revoked key's name may be
        given a new key (its tenant, and so its jobs and usage, carry on); an active one's may not."""
        check_name(name)
        key = secrets.token_urlsafe(32)
        with self._write() as db:
            row = one(db, "SELECT revoked FROM api_keys WHERE name = :name", {"name": name})
            if row is not None and row["revoked"] is None:
                raise KeyNameRefused(f"{name!r} has a key already: revoke it first")
            run(db, "DELETE FROM api_keys WHERE name = :name", {"name": name})  # a revoked key's row
            run(db,
                "INSERT INTO api_keys (name, key_digest, quota, rate, created)"
                " VALUES (:name, :digest, :quota, :rate, :now)",
                {"name": name, "digest": key_digest(key), "quota": quota, "rate": rate, "now": time.time()})  # fmt: skip
        return key

    def revoke(self, name: str) -> bool:
        """False when there is no active key of that name."""
        with self._write() as db:
            revoked = run(db, "UPDATE api_keys SET revoked = :now WHERE name = :name AND revoked IS NULL",
                          {"now": time.time(), "name": name})  # fmt: skip
            return revoked.rowcount > 0

    def all(self) -> list[StoredKey]:
        with self._read() as db:
            rows = every(db, "SELECT * FROM api_keys ORDER BY created, name")
        return [_stored(row) for row in rows]

    def any_made(self) -> bool:
        """Whether a key was ever made here, revoked ones included: revoking the last key must not open
        the service to callers without one."""
        with self._read() as db:
            return one(db, "SELECT 1 AS made FROM api_keys LIMIT 1") is not None

    async def find(self, key: str) -> StoredKey | None:
        """The active key `key` is, if any."""
        return await asyncio.to_thread(self._find, key_digest(key))

    def _find(self, digest: str) -> StoredKey | None:
        with self._read() as db:
            row = one(db, "SELECT * FROM api_keys WHERE key_digest = :digest AND revoked IS NULL",
                      {"digest": digest})  # fmt: skip
        return None if row is None else _stored(row)

    async def touch(self, found: StoredKey) -> None:
        """Note the key used now, at most once a `TOUCH_SECONDS`."""
        now = time.time()
        if found.last_used is None or now - found.last_used >= TOUCH_SECONDS:
            await asyncio.to_thread(self._touch, found.name, now)

    def _touch(self, name: str, now: float) -> None:
        with self._write() as db:
            run(db, "UPDATE api_keys SET last_used = :now WHERE name = :name", {"now": now, "name": name})


def _stored(row: Any) -> StoredKey:
    return StoredKey(row["name"], row["quota"], row["rate"], row["created"], row["last_used"], row["revoked"])
