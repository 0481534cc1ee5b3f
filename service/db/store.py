"""What every store has: the database (its own, opened from a path or URL, or one shared with the other
stores), the schema checked and upgraded on opening, reads and writes, closing; and, for the tests' full
disk, `limit_size`."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, RowMapping, text

from service.db.database import Database
from service.db.migrations import ensure_upgraded


class Store:
    def __init__(self, where: Database | str | Path) -> None:
        self._owned = not isinstance(where, Database)
        self.database = Database(where) if not isinstance(where, Database) else where
        ensure_upgraded(self.database)

    def close(self) -> None:
        if self._owned:
            self.database.close()

    def reclaim(self) -> int:
        return self.database.reclaim()

    def limit_size(self, max_bytes: int | None) -> None:
        self.database.limit_size(max_bytes)

    def _write(self) -> AbstractContextManager[Connection]:
        return self.database.write()

    def _read(self) -> AbstractContextManager[Connection]:
        return self.database.read()


def run(connection: Connection, sql: str, params: Any = None) -> CursorResult[Any]:
    """A statement with named parameters (`:name`); a list of dicts runs it once for each."""
    return connection.execute(text(sql), params if params is not None else {})


def one(connection: Connection, sql: str, params: Any = None) -> RowMapping | None:
    return run(connection, sql, params).mappings().first()


def every(connection: Connection, sql: str, params: Any = None) -> list[RowMapping]:
    return list(run(connection, sql, params).mappings().all())
