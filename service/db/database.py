"""`GAZETTE_DB` opened: one SQLAlchemy engine, on a SQLite file (the default) or on PostgreSQL, and the
only way every store reads and writes it.

Each write is one explicit transaction, committed before the caller goes on (a job is stored before its
`202`). On SQLite: one connection under a lock, WAL, synchronous=FULL, and BEGIN IMMEDIATE for writes
(the file's one writer is taken at the start, not at the first write, so two writes never deadlock). On
PostgreSQL: psycopg 3 through a connection pool, shared by every store of the process that names the same
URL. An error of the storage or of the server (a full disk, a lost connection) is rolled back whole and
raised as `StoreWriteFailed`, whatever the statement; the store stays usable.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from service.db.errors import StoreWriteFailed, is_storage_error

_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
_NO_LIMIT_PAGES = 0xFFFFFFFE  # SQLite's largest page count
_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL


def database_url(target: str | Path) -> URL:
    """A SQLite path, or a PostgreSQL URL (taken by psycopg 3); anything else with `://` is refused."""
    if isinstance(target, Path) or "://" not in target:
        return URL.create("sqlite", database=str(target))
    scheme = target.split("://", 1)[0]
    if scheme not in _POSTGRES_SCHEMES:
        raise ValueError(
            f"GAZETTE_DB takes a SQLite file's path or a postgresql:// URL, not a {scheme}:// URL"
        )
    return make_url(target).set(drivername="postgresql+psycopg")


class _Shared:
    """PostgreSQL engines by URL: the stores of one process share one pool."""

    lock = threading.Lock()
    engines: dict[str, tuple[Engine, int]] = {}  # noqa: RUF012 (a registry, on purpose)


class Database:
    def __init__(self, target: str | Path, *, timeout: float = 30.0) -> None:
        self.url = database_url(target)
        self.postgres = self.url.get_backend_name() == "postgresql"
        self.name = self.url.render_as_string(hide_password=True) if self.postgres else str(self.url.database)
        self._key = self.url.render_as_string(hide_password=False)
        self._closed = False
        if self.postgres:
            self.engine = _shared_engine(self._key, self.url)
            self._lock: threading.Lock | None = None
        else:
            self.engine = _sqlite_engine(Path(self.name), timeout)
            self._lock = threading.Lock()
            self._incremental_vacuum()
        self.upgraded = False  # set by service.db.migrations once its schema is checked in this process

    # -- transactions ----------------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, committed on leaving the block (COMMIT inside: on a full disk it is the
        COMMIT that fails); rolled back whole on any error, and a storage error raised as StoreWriteFailed."""
        with self._guarded(), self.engine.connect() as connection:
            connection.execution_options(gazette_write=True)
            with connection.begin():
                yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._guarded(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        with self._lock if self._lock is not None else nullcontext():
            try:
                yield
            except Exception as error:
                if is_storage_error(error):
                    # The driver's own words: SQLAlchemy's would add the statement and its parameters.
                    cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                    raise StoreWriteFailed(
                        f"the service's database ({self.name}) could not be used: {cause}"
                    ) from error
                raise

    def lock(self, connection: Connection, name: str) -> None:
        """Hold `name` until this transaction ends: writers that read before they write (quotas, the jobs
        queued) take their turn across processes. SQLite's BEGIN IMMEDIATE already makes them take turns."""
        if self.postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(name.encode())})

    def notify(self, connection: Connection, channel: str) -> None:
        """Wake the processes that listen on `channel` once this transaction commits (PostgreSQL)."""
        if self.postgres:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})

    # -- upkeep ----------------------------------------------------------------------------------

    def ping(self) -> str | None:
        """None when the database answers; else why not (for /readyz)."""
        try:
            with self.read() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            return str(error).splitlines()[0]
        return None

    def limit_size(self, max_bytes: int | None) -> None:
        """SQLite: let the file grow to `max_bytes` at most (never below what it holds now); None: no limit.
        Beyond it every write fails as on a full disk (SQLITE_FULL): how the tests fill the disk under a
        store without filling a real one."""
        if self.postgres:
            raise NotImplementedError("a size limit is a SQLite file's")
        with self.read() as connection:
            pages = _NO_LIMIT_PAGES
            if max_bytes is not None:
                page_size = connection.exec_driver_sql("PRAGMA page_size").scalar_one()
                pages = max(1, max_bytes // page_size)
            connection.exec_driver_sql(f"PRAGMA max_page_count = {int(pages)}")

    def reclaim(self) -> int:
        """Give the pages freed by deletions back to the disk; the bytes given back (PostgreSQL's
        autovacuum does this itself: 0)."""
        if self.postgres:
            return 0
        with self._guarded():
            raw: Any = self.engine.raw_connection()
            try:
                page_size = raw.execute("PRAGMA page_size").fetchone()[0]
                free = raw.execute("PRAGMA freelist_count").fetchone()[0]
                # A script, stepped to its end: each step of this pragma frees one page.
                raw.executescript("PRAGMA incremental_vacuum;")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                raw.close()
        return int(free) * int(page_size)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.postgres:
            _release_engine(self._key)
        else:
            self.engine.dispose()

    def _incremental_vacuum(self) -> None:
        # A file made before retention: converted once, so that its freed pages can be given back.
        raw: Any = self.engine.raw_connection()  # outside any transaction: VACUUM cannot run in one
        try:
            if raw.execute("PRAGMA auto_vacuum").fetchone()[0] != _INCREMENTAL:
                raw.execute("PRAGMA auto_vacuum=INCREMENTAL")
                raw.execute("VACUUM")
        finally:
            raw.close()


def _sqlite_engine(path: Path, timeout: float) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    # One connection (StaticPool) used under the Database's lock: SQLite has one writer anyway, and a
    # size limit (PRAGMA max_page_count) is a connection's.
    engine = create_engine(
        URL.create("sqlite", database=str(path)),
        poolclass=StaticPool,
        connect_args={"check_same_thread": False, "timeout": timeout},
    )

    @event.listens_for(engine, "connect")
    def _connected(dbapi: Any, _record: Any) -> None:
        dbapi.isolation_level = None  # every transaction begun below, explicitly (SQLAlchemy's recipe)
        dbapi.execute("PRAGMA auto_vacuum=INCREMENTAL")  # on a new file; an older one: _incremental_vacuum
        dbapi.execute("PRAGMA journal_mode=WAL")
        dbapi.execute("PRAGMA synchronous=FULL")  # a commit is on disk before it is acknowledged
        dbapi.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("gazette_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _shared_engine(key: str, url: URL) -> Engine:
    with _Shared.lock:
        engine, users = _Shared.engines.get(key, (None, 0))
        if engine is None:
            engine = create_engine(
                url,
                pool_size=8,
                max_overflow=8,
                pool_timeout=10,
                pool_pre_ping=True,  # a connection the server dropped (a restart) is replaced, not used
                connect_args={"connect_timeout": 5},
            )
        _Shared.engines[key] = (engine, users + 1)
        return engine


def _release_engine(key: str) -> None:
    with _Shared.lock:
        engine, users = _Shared.engines[key]
        if users > 1:
            _Shared.engines[key] = (engine, users - 1)
        else:
            del _Shared.engines[key]
            engine.dispose()
