"""Characters translated per API key, durable, for every API family: the character quota
(GAZETTE_CHARACTER_QUOTA) and DeepL's `GET /v2/usage`. In the jobs' SQLite file (`GAZETTE_DB`, WAL); the
only code that touches its table; each count committed before the request that made it is answered.

A key is filed under its digest, never as given; callers without a key share the empty key's count.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from service.sqlite_file import StoreFile

_SCHEMA = "CREATE TABLE IF NOT EXISTS key_usage (key_digest TEXT PRIMARY KEY, characters INTEGER NOT NULL)"


def _digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class UsageStore(StoreFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, [_SCHEMA])

    async def characters(self, api_key: str) -> int:
        """Characters translated so far under this key ("" for callers without one)."""
        return await asyncio.to_thread(self._characters, _digest(api_key))

    async def add_characters(self, api_key: str, count: int) -> None:
        await asyncio.to_thread(self._add_characters, _digest(api_key), count)

    def _characters(self, key_digest: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT characters FROM key_usage WHERE key_digest = ?", (key_digest,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def _add_characters(self, key_digest: str, count: int) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO key_usage (key_digest, characters) VALUES (?, ?)"
                " ON CONFLICT (key_digest) DO UPDATE SET characters = characters + excluded.characters",
                (key_digest, count),
            )
