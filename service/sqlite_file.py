"""How every store here opens its SQLite file and writes to it: one connection under a lock, WAL, and
each write one explicit transaction, committed before the caller goes on.

A write that fails is rolled back whole, but only if SQLite has not done so itself (it has, on a full
disk): a second ROLLBACK would fail, and its error ("no transaction is active") would hide the one that
matters. Errors of the disk or the file (full, I/O, locked, read-only) can be turned into a store's own
exception, so that its callers can wait and write again once the cause is gone.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

# Errors of the disk or the file, not of the statement: the same write succeeds once they are gone.
STORAGE_ERRORS = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
     sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN}
)  # fmt: skip


def connect(path: Path, *, timeout: float = 5.0) -> tuple[sqlite3.Connection, threading.Lock]:
    """The file's one connection, shared by the event loop and worker threads under the lock returned;
    autocommit mode (isolation_level=None), so that every transaction is begun and committed explicitly;
    a commit is on disk before it is acknowledged (synchronous=FULL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=timeout)
    db.row_factory = sqlite3.Row
    # Pages freed by deletions can be given back to the disk (`reclaim`); on a new file only: an older
    # one is converted by the job store, once (VACUUM).
    db.execute("PRAGMA auto_vacuum=INCREMENTAL")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    return db, threading.Lock()


def limit_size(db: sqlite3.Connection, lock: threading.Lock, max_bytes: int | None) -> None:
    """Let the file grow to `max_bytes` at most (never below what it holds now), None: no limit. Beyond
    it every write fails as on a full disk, with SQLite's own SQLITE_FULL: how the tests fill the disk
    under a store without filling a real one."""
    with lock:
        pages = _NO_LIMIT_PAGES
        if max_bytes is not None:
            pages = max(1, max_bytes // db.execute("PRAGMA page_size").fetchone()[0])
        db.execute(f"PRAGMA max_page_count = {int(pages)}")


_NO_LIMIT_PAGES = 0xFFFFFFFE  # SQLite's largest page count


class StoreWriteFailed(RuntimeError):
    """A store could not write (disk full, I/O error, file locked or read-only). Nothing of that write
    was kept, and the store is usable: the same write can be made again once the cause is gone. Every API
    family answers it 503 with Retry-After."""


def _write_failed(error: sqlite3.OperationalError) -> Exception:
    return StoreWriteFailed(f"the service's database could not write: {error}")


@contextmanager
def write_transaction(
    db: sqlite3.Connection,
    lock: threading.Lock,
    storage_error: Callable[[sqlite3.OperationalError], Exception] = _write_failed,
) -> Iterator[sqlite3.Connection]:
    """One write, all or nothing. COMMIT is inside: on a full disk it is the COMMIT that fails (WAL).
    `storage_error(error)` is raised in place of an error of the disk or the file."""
    with lock:
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            _roll_back(db)
            if error.sqlite_errorcode & 0xFF not in STORAGE_ERRORS:
                raise
            raise storage_error(error) from error
        except BaseException:
            _roll_back(db)
            raise


def _roll_back(db: sqlite3.Connection) -> None:
    # One left open would make every later BEGIN fail, so it is always closed here.
    if db.in_transaction:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error as error:
            log.error("could not roll back a failed write: %s", error)


def add_missing_columns(db: sqlite3.Connection, added: Sequence[tuple[str, str, str]]) -> None:
    """`(table, column, definition)` added to tables made before the column was (inside a write)."""
    for table, column, definition in added:
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


class StoreFile:
    """What every store has: its file's one connection and lock, its schema made on opening, each write
    one transaction (`_transaction`), closing, and `limit_size` for the tests' full disk. A store may name
    its own write error (`_write_failed`)."""

    def __init__(self, path: Path, schema: Sequence[str], *, timeout: float = 30.0) -> None:
        self._db, self._lock = connect(path, timeout=timeout)
        with self._transaction() as db:
            for statement in schema:
                db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def reclaim(self) -> int:
        """Give the pages freed by deletions back to the disk; the bytes given back."""
        with self._lock:
            page_size = self._db.execute("PRAGMA page_size").fetchone()[0]
            free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
            # A script, stepped to its end: each step of this pragma frees one page, and `execute` stops
            # after the first step of a statement that returns no rows.
            self._db.executescript("PRAGMA incremental_vacuum;")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return int(free) * int(page_size)

    def limit_size(self, max_bytes: int | None) -> None:
        """As on a full disk past `max_bytes` (see the function of that name); None: no limit."""
        limit_size(self._db, self._lock, max_bytes)

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self._db, self._lock, self._write_failed)

    def _write_failed(self, error: sqlite3.OperationalError) -> Exception:
        return _write_failed(error)
