"""The one error every store raises when the database cannot take a write (or cannot be reached): the
caller may wait and try the same thing again. Every API family answers it 503 with Retry-After."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc

# SQLite's errors of the disk or the file, not of the statement: the same write succeeds once they are gone.
SQLITE_STORAGE_ERRORS = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
     sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN}
)  # fmt: skip
# PostgreSQL's SQLSTATE classes of the same kind: 08 connection, 53 resources (disk full), 57 operator
# intervention (the server shutting down), 58 system error; 40 a transaction to be tried again (a
# serialization failure, a deadlock).
_PG_STORAGE_CLASSES = frozenset({"08", "40", "53", "57", "58"})


class StoreWriteFailed(RuntimeError):
    """A store could not write (disk full, I/O error, file locked or read-only, the database server
    unreachable). Nothing of that write was kept, and the store is usable: the same write can be made
    again once the cause is gone."""


class SchemaTooNew(RuntimeError):
    """The database was made or upgraded by a newer Gazette: this one does not know its schema."""


def is_storage_error(error: BaseException) -> bool:
    """Whether `error` (as SQLAlchemy raised it) is of the database's storage or reachability, not of the
    statement: a pool timeout, a lost connection, a full disk."""
    if isinstance(error, exc.TimeoutError):  # no connection free in the pool in time: a server not answering
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return original.sqlite_errorcode & 0xFF in SQLITE_STORAGE_ERRORS
    if error.connection_invalidated:
        return True
    sqlstate = str(getattr(original, "sqlstate", None) or "")
    if sqlstate:
        return sqlstate[:2] in _PG_STORAGE_CLASSES
    # psycopg's errors raised before the server answered (connection refused) carry no SQLSTATE.
    return isinstance(error, exc.OperationalError) and not isinstance(original, sqlite3.Error)
