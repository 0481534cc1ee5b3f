"""The translation memory's table, in the service's SQLite file (`GAZETTE_DB`): the only code that touches it.

Every entry belongs to a tenant: the one whose request made it (a model's translation) or whose person
wrote it (a correction, an import). Lookups never leave the tenant, so nothing one tenant made or
corrected reaches another, nor tells another what was translated before.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from service.sqlite_file import StoreFile

Origin = Literal["model", "person"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS memory (tenant TEXT NOT NULL, key TEXT NOT NULL, origin TEXT NOT NULL,"
    " source_lang TEXT NOT NULL, source TEXT NOT NULL, translation TEXT NOT NULL,"
    " model TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}',"
    " created REAL NOT NULL, updated REAL NOT NULL, PRIMARY KEY (tenant, key))",
    "CREATE INDEX IF NOT EXISTS memory_by_tenant ON memory (tenant, origin, created)",
)
# SQLite's limit on one statement's parameters is 32,766; a document's keys stay well below a chunk.
_CHUNK = 500


@dataclass(frozen=True)
class MemoryEntry:
    tenant: str
    key: str
    origin: Origin
    source_lang: str
    source: str
    translation: str
    model: str = ""  # the model that made it; "" for a person's
    # What a TMX file said about the entry that the table has no column for (its props, notes, dates,
    # author), kept so that an export gives back what was imported.
    extra: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    created: float = 0.0
    updated: float = 0.0


class MemoryStore(StoreFile):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def lookup(self, tenant: str, keys: Sequence[str]) -> dict[str, MemoryEntry]:
        """The tenant's entries under `keys`, by key."""
        found: dict[str, MemoryEntry] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._db.execute(
                    f"SELECT * FROM memory WHERE tenant = ? AND key IN ({marks})", (tenant, *chunk)
                ).fetchall()
            found.update((row["key"], _entry(row)) for row in rows)
        return found

    def put(self, entries: Iterable[MemoryEntry]) -> int:
        """Write `entries` (one transaction); an entry of the same tenant and key is replaced, keeping
        its creation time. A model's entry never replaces a person's."""
        now = time.time()
        written = 0
        with self._transaction() as db:
            for entry in entries:
                cursor = db.execute(
                    "INSERT INTO memory (tenant, key, origin, source_lang, source, translation, model,"
                    " extra, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (tenant, key) DO UPDATE SET origin = excluded.origin,"
                    " translation = excluded.translation, model = excluded.model, extra = excluded.extra,"
                    " updated = excluded.updated"
                    " WHERE memory.origin = 'model' OR excluded.origin = 'person'",
                    (
                        entry.tenant, entry.key, entry.origin, entry.source_lang, entry.source,
                        entry.translation, entry.model, json.dumps(entry.extra, ensure_ascii=False),
                        entry.created or now, entry.updated or now,
                    ),
                )  # fmt: skip
                written += cursor.rowcount
        return written

    def entries(self, tenant: str | None = None, origin: Origin | None = None) -> list[MemoryEntry]:
        """Entries oldest first: one tenant's or every tenant's, of one origin or both."""
        clauses, values = [], []
        if tenant is not None:
            clauses.append("tenant = ?")
            values.append(tenant)
        if origin is not None:
            clauses.append("origin = ?")
            values.append(origin)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM memory {where} ORDER BY created, key", values).fetchall()
        return [_entry(row) for row in rows]

    def forget(self, tenant: str, key: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM memory WHERE tenant = ? AND key = ?", (tenant, key)).rowcount > 0


def _entry(row: sqlite3.Row) -> MemoryEntry:
    return MemoryEntry(
        tenant=row["tenant"],
        key=row["key"],
        origin=row["origin"],
        source_lang=row["source_lang"],
        source=row["source"],
        translation=row["translation"],
        model=row["model"],
        extra=json.loads(row["extra"] or "{}"),
        created=row["created"],
        updated=row["updated"],
    )
