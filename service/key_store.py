"""API keys made by `gazette keys add`, durable in the service's SQLite file (`GAZETTE_DB`, WAL): the only
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
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from service.sqlite_file import StoreFile

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS api_keys (name TEXT PRIMARY KEY, key_digest TEXT NOT NULL UNIQUE,"
    " quota INTEGER, rate INTEGER, created REAL NOT NULL, last_used REAL, revoked REAL)",
)
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


class KeyStore(StoreFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def add(self, name: str, quota: int | None = None, rate: int | None = None) -> str:
        """A new random key for `name`, committed; returned once, never stored. A revoked key's name may be
        given a new key (its tenant, and so its jobs and usage, carry on); an active one's may not."""
        check_name(name)
        key = secrets.token_urlsafe(32)
        with self._transaction() as db:
            row = db.execute("SELECT revoked FROM api_keys WHERE name = ?", (name,)).fetchone()
            if row is not None and row["revoked"] is None:
                raise KeyNameRefused(f"{name!r} has a key already: revoke it first")
            db.execute(
                "INSERT OR REPLACE INTO api_keys (name, key_digest, quota, rate, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, key_digest(key), quota, rate, time.time()),
            )
        return key

    def revoke(self, name: str) -> bool:
        """False when there is no active key of that name."""
        with self._transaction() as db:
            revoked = db.execute(
                "UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked IS NULL", (time.time(), name)
            )
            return revoked.rowcount > 0

    def all(self) -> list[StoredKey]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM api_keys ORDER BY created, name").fetchall()
        return [_stored(row) for row in rows]

    def any_made(self) -> bool:
        """Whether a key was ever made here, revoked ones included: revoking the last key must not open
        the service to callers without one."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM api_keys LIMIT 1").fetchone() is not None

    async def find(self, key: str) -> StoredKey | None:
        """The active key `key` is, if any."""
        return await asyncio.to_thread(self._find, key_digest(key))

    def _find(self, digest: str) -> StoredKey | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM api_keys WHERE key_digest = ? AND revoked IS NULL", (digest,)
            ).fetchone()
        return None if row is None else _stored(row)

    async def touch(self, found: StoredKey) -> None:
        """Note the key used now, at most once a `TOUCH_SECONDS`."""
        now = time.time()
        if found.last_used is None or now - found.last_used >= TOUCH_SECONDS:
            await asyncio.to_thread(self._touch, found.name, now)

    def _touch(self, name: str, now: float) -> None:
        with self._transaction() as db:
            db.execute("UPDATE api_keys SET last_used = ? WHERE name = ?", (now, name))


def _stored(row: sqlite3.Row) -> StoredKey:
    return StoredKey(row["name"], row["quota"], row["rate"], row["created"], row["last_used"], row["revoked"])
