"""Stored glossaries: named sets of approved renderings that a request names by id instead of sending
(DeepL's `/v2/glossaries`, `glossary_id` in `/v1`).

The only code that touches their table, in the service's database (`GAZETTE_DB`). Each write is one
transaction, committed before the method returns, so a glossary whose id was sent to its creator
survives a crash, and is usable on every replica at once. Glossaries cannot be changed, only made and deleted
(as DeepL's v2): a translation that names one always gets the entries its creator was told it had.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.db.database import Database
from service.db.store import Store, every, one, run


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


class GlossaryStore(Store):
    # A glossary is stored before its id is given out (service/db: each write committed before it returns).
    # Each glossary is its tenant's: another tenant's id is answered as no glossary.
    def __init__(self, where: Database | str | Path) -> None:
        super().__init__(where)

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
        with self._write() as db:
            run(db,
                "INSERT INTO glossaries (id, tenant, name, source_lang, target_lang, entries, created)"
                " VALUES (:id, :tenant, :name, :source, :target, :entries, :created)",
                {"id": glossary.id, "tenant": tenant, "name": name, "source": source_lang,
                 "target": target_lang, "entries": _dumps(glossary.entries), "created": glossary.created})  # fmt: skip
        return glossary

    def get_now(self, tenant: str, glossary_id: str) -> StoredGlossary | None:
        with self._read() as db:
            row = one(db, "SELECT * FROM glossaries WHERE id = :id AND tenant = :tenant",
                      {"id": glossary_id, "tenant": tenant})  # fmt: skip
        return None if row is None else _glossary(row)

    def all_now(self, tenant: str) -> list[StoredGlossary]:
        """Oldest first."""
        with self._read() as db:
            rows = every(db, "SELECT * FROM glossaries WHERE tenant = :tenant ORDER BY created, id",
                         {"tenant": tenant})  # fmt: skip
        return [_glossary(row) for row in rows]

    def delete_now(self, tenant: str, glossary_id: str) -> bool:
        """False when there was no such glossary (of this tenant)."""
        with self._write() as db:
            deleted = run(db, "DELETE FROM glossaries WHERE id = :id AND tenant = :tenant",
                          {"id": glossary_id, "tenant": tenant})  # fmt: skip
            return deleted.rowcount > 0


def _dumps(entries: Sequence[tuple[str, str]]) -> str:
    # Pairs, not an object: the order they were given in is kept for listing them back.
    return json.dumps([list(pair) for pair in entries], ensure_ascii=False)


def _glossary(row: Any) -> StoredGlossary:
    entries = tuple((str(term), str(rendering)) for term, rendering in json.loads(row["entries"]))
    return StoredGlossary(
        row["id"], row["name"], row["source_lang"], row["target_lang"], entries, float(row["created"])
    )
