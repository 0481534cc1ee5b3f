"""The translation memory's table, in the service's database (`GAZETTE_DB`): the only code that touches it.

Every entry belongs to a tenant: the one whose request made it (a model's translation) or whose person
wrote it (a correction, an import). Lookups never leave the tenant, so nothing one tenant made or
corrected reaches another, nor tells another what was translated before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import bindparam, text

from service.db.database import Database
from service.db.store import Store, every, run

Origin = Literal["model", "person"]

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


class MemoryStore(Store):
    # Its table: service/db/migrations.py (version 3).
    def __init__(self, where: Database | str | Path) -> None:
        super().__init__(where)

    def lookup(self, tenant: str, keys: Sequence[str]) -> dict[str, MemoryEntry]:
        """The tenant's entries under `keys`, by key."""
        found: dict[str, MemoryEntry] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            query = text("SELECT * FROM memory WHERE tenant = :tenant AND key IN :keys").bindparams(
                bindparam("keys", expanding=True)
            )
            with self._read() as db:
                rows = db.execute(query, {"tenant": tenant, "keys": chunk}).mappings().all()
            found.update((row["key"], _entry(row)) for row in rows)
        return found

    def put(self, entries: Iterable[MemoryEntry]) -> int:
        """Write `entries` (one transaction); an entry of the same tenant and key is replaced, keeping
        its creation time. A model's entry never replaces a person's."""
        now = time.time()
        written = 0
        with self._write() as db:
            for entry in entries:
                cursor = run(db,
                    "INSERT INTO memory (tenant, key, origin, source_lang, source, translation, model,"
                    " extra, created, updated) VALUES (:tenant, :key, :origin, :source_lang, :source,"
                    " :translation, :model, :extra, :created, :updated)"
                    " ON CONFLICT (tenant, key) DO UPDATE SET origin = excluded.origin,"
                    " translation = excluded.translation, model = excluded.model, extra = excluded.extra,"
                    " updated = excluded.updated"
                    " WHERE memory.origin = 'model' OR excluded.origin = 'person'",
                    {"tenant": entry.tenant, "key": entry.key, "origin": entry.origin,
                     "source_lang": entry.source_lang, "source": entry.source, "translation": entry.translation,
                     "model": entry.model, "extra": json.dumps(entry.extra, ensure_ascii=False),
                     "created": entry.created or now, "updated": entry.updated or now})  # fmt: skip
                written += cursor.rowcount
        return written

    def entries(self, tenant: str | None = None, origin: Origin | None = None) -> list[MemoryEntry]:
        """Entries oldest first: one tenant's or every tenant's, of one origin or both."""
        clauses, values = [], {"tenant": tenant, "origin": origin}
        if tenant is not None:
            clauses.append("tenant = :tenant")
        if origin is not None:
            clauses.append("origin = :origin")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read() as db:
            rows = every(db, f"SELECT * FROM memory {where} ORDER BY created, key", values)
        return [_entry(row) for row in rows]

    def stamp(self, tenant: str, origin: Origin) -> tuple[int, float]:
        """How many entries the tenant has of `origin`, and when the latest changed: what tells a cache of
        them that it is stale."""
        with self._read() as db:
            rows = every(db, "SELECT COUNT(*) AS n, MAX(updated) AS latest FROM memory"
                             " WHERE tenant = :tenant AND origin = :origin", {"tenant": tenant, "origin": origin})  # fmt: skip
        return int(rows[0]["n"]), float(rows[0]["latest"] or 0.0)

    def forget(self, tenant: str, key: str) -> bool:
        with self._write() as db:
            deleted = run(db, "DELETE FROM memory WHERE tenant = :tenant AND key = :key",
                          {"tenant": tenant, "key": key})  # fmt: skip
            return deleted.rowcount > 0


def _entry(row: Any) -> MemoryEntry:
    return MemoryEntry(
        tenant=row["tenant"],
        key=row["key"],
        origin=row["origin"],
        source_lang=row["source_lang"],
        source=row["source"],
        translation=row["translation"],
        model=row["model"],
        extra=json.loads(row["extra"] or "{}"),
        created=float(row["created"]),
        updated=float(row["updated"]),
    )
