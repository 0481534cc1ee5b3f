"""Stored glossaries: named sets of approved renderings that a request names by id instead of sending
(DeepL's `/v2/glossaries`, `glossary_id` in `/v1`).

The only code that touches their table, which lives in the jobs' SQLite file (`GAZETTE_DB`, WAL). Each
write is one explicit transaction (BEGIN IMMEDIATE), committed before the method returns, so a glossary
whose id was sent to its creator survives a crash. Glossaries cannot be changed, only made and deleted
(as DeepL's v2): a translation that names one always gets the entries its creator was told it had.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from service.sqlite_file import StoreFile, add_missing_columns

_SCHEMA = """
CREATE TABLE IF NOT EXISTS glossaries (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL DEFAULT 'anonymous',
    name TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    entries TEXT NOT NULL,
    created REAL NOT NULL
)
"""


_ADDED_COLUMNS = (("glossaries", "tenant", "TEXT NOT NULL DEFAULT 'anonymous'"),)


@dataclass(frozen=True)
class StoredGlossary:
    """`entries`: (term, rendering) in the order they were given; languages are the engine's codes."""

    id: str
    name: str
    source_lang: str
    target_lang: str
    entries: tuple[tuple[str, str], ...]
    created: float  # seconds since the epoch, UTC

    def mapping(self) -> dict[str, str]:
        """term → rendering, as a request's own `glossary` is given."""
        return dict(self.entries)


class GlossaryStore(StoreFile):
    # A glossary is on disk before its id is given out (sqlite_file: synchronous=FULL, explicit writes).
    # Each glossary is its tenant's: another tenant's id is answered as no glossary.
    def __init__(self, path: Path) -> None:
        super().__init__(path, [_SCHEMA])
        with self._transaction() as db:
            add_missing_columns(db, _ADDED_COLUMNS)

    # -- for the event loop: each call runs in a worker thread ------------------------------------

    async def create(
        self, tenant: str, name: str, source_lang: str, target_lang: str, entries: Sequence[tuple[str, str]]
    ) -> StoredGlossary:
        return await asyncio.to_thread(self.create_now, tenant, name, source_lang, target_lang, entries)

    async def get(self, tenant: str, glossary_id: str) -> StoredGlossary | None:
        return await asyncio.to_thread(self.get_now, tenant, glossary_id)

    async def all(self, tenant: str) -> list[StoredGlossary]:
        return await asyncio.to_thread(self.all_now, tenant)

    async def delete(self, tenant: str, glossary_id: str) -> bool:
        return await asyncio.to_thread(self.delete_now, tenant, glossary_id)

    # -- blocking --------------------------------------------------------------------------------

    def create_now(
        self, tenant: str, name: str, source_lang: str, target_lang: str, entries: Sequence[tuple[str, str]]
    ) -> StoredGlossary:
        """A new glossary of `tenant`, committed."""
        glossary = StoredGlossary(
            str(uuid.uuid4()), name, source_lang, target_lang, tuple(entries), time.time()
        )
        with self._transaction() as db:
            db.execute(
                "INSERT INTO glossaries (id, tenant, name, source_lang, target_lang, entries, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (glossary.id, tenant, name, source_lang, target_lang, _dumps(glossary.entries),
                 glossary.created),
            )  # fmt: skip
        return glossary

    def get_now(self, tenant: str, glossary_id: str) -> StoredGlossary | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM glossaries WHERE id = ? AND tenant = ?", (glossary_id, tenant)
            ).fetchone()
        return None if row is None else _glossary(row)

    def all_now(self, tenant: str) -> list[StoredGlossary]:
        """Oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM glossaries WHERE tenant = ? ORDER BY created, id", (tenant,)
            ).fetchall()
        return [_glossary(row) for row in rows]

    def delete_now(self, tenant: str, glossary_id: str) -> bool:
        """False when there was no such glossary (of this tenant)."""
        with self._transaction() as db:
            deleted = db.execute("DELETE FROM glossaries WHERE id = ? AND tenant = ?", (glossary_id, tenant))
            return deleted.rowcount > 0


def _dumps(entries: Sequence[tuple[str, str]]) -> str:
    # Pairs, not an object: the order they were given in is kept for listing them back.
    return json.dumps([list(pair) for pair in entries], ensure_ascii=False)


def _glossary(row: sqlite3.Row) -> StoredGlossary:
    entries = tuple((str(term), str(rendering)) for term, rendering in json.loads(row["entries"]))
    return StoredGlossary(
        row["id"], row["name"], row["source_lang"], row["target_lang"], entries, row["created"]
    )
