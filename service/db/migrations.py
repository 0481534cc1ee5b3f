"""One versioned schema for every store, on SQLite and PostgreSQL alike.

`MIGRATIONS[n]` takes a database from version n to n + 1; the version is kept in `gazette_schema`. A
database is upgraded when it is first opened in a process (every store opens it through here) or by
`gazette db upgrade`; all the steps run in one transaction, so an upgrade that fails leaves the database
as it was. Replicas starting together on PostgreSQL take turns (an advisory lock). A database whose
version is newer than this code's is refused: this code would not know what it holds.

Version 0 is a database made before versions were kept (its tables are made by the stores' own
`CREATE TABLE IF NOT EXISTS`, some with columns added later): step 1 makes it what version 1 is, and a
new database goes through the same step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection, inspect, text

from service.db.database import Database
from service.db.errors import SchemaTooNew

log = logging.getLogger(__name__)


def _types(connection: Connection) -> dict[str, str]:
    # Times are seconds since the epoch: PostgreSQL's REAL is 4 bytes (to the minute, no better), so DOUBLE.
    if connection.dialect.name == "postgresql":
        return {"real": "DOUBLE PRECISION", "blob": "BYTEA"}
    return {"real": "REAL", "blob": "BLOB"}


_V1_TABLES = (
    """CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, tenant TEXT NOT NULL DEFAULT 'anonymous',
    task TEXT NOT NULL, options TEXT NOT NULL, state TEXT NOT NULL, idempotency_key TEXT UNIQUE,
    fingerprint TEXT NOT NULL, total INTEGER NOT NULL, chars INTEGER NOT NULL, created {real} NOT NULL,
    updated {real} NOT NULL, started {real}, resumed {real}, finished {real})""",
    """CREATE TABLE IF NOT EXISTS items (job_id TEXT NOT NULL REFERENCES jobs(id), position INTEGER NOT NULL,
    item_id TEXT NOT NULL, file TEXT, text TEXT NOT NULL, chars INTEGER NOT NULL, state TEXT NOT NULL,
    record TEXT, finished {real}, PRIMARY KEY (job_id, position))""",
    """CREATE TABLE IF NOT EXISTS files (job_id TEXT NOT NULL REFERENCES jobs(id), name TEXT NOT NULL,
    data {blob} NOT NULL, PRIMARY KEY (job_id, name))""",
    """CREATE TABLE IF NOT EXISTS glossaries (id TEXT PRIMARY KEY, tenant TEXT NOT NULL DEFAULT 'anonymous',
    name TEXT NOT NULL, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, entries TEXT NOT NULL,
    created {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS deepl_documents (document_id TEXT PRIMARY KEY, key_digest TEXT NOT NULL,
    file TEXT NOT NULL, created {real} NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS tenant_usage (tenant TEXT PRIMARY KEY, characters BIGINT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS reservations (id TEXT PRIMARY KEY, tenant TEXT NOT NULL,
    characters BIGINT NOT NULL, job_id TEXT, created {real} NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS api_keys (name TEXT PRIMARY KEY, key_digest TEXT NOT NULL UNIQUE,
    quota BIGINT, rate INTEGER, created {real} NOT NULL, last_used {real}, revoked {real})""",
)
# Columns that files made before tenants lack (the stores added them where missing, before versions).
_V1_ADDED = (
    ("jobs", "tenant", "TEXT NOT NULL DEFAULT 'anonymous'"),
    ("glossaries", "tenant", "TEXT NOT NULL DEFAULT 'anonymous'"),
)
_V1_INDEXES = (
    "CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, finished)",
    "CREATE INDEX IF NOT EXISTS items_by_state ON items (job_id, state, position)",
    "CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, created, id)",
    "CREATE INDEX IF NOT EXISTS reservations_by_tenant ON reservations (tenant)",
)


def _to_v1(connection: Connection) -> None:
    """The stores' tables as they were at the last unversioned release (commit ff80888)."""
    types = _types(connection)
    for statement in _V1_TABLES:
        connection.exec_driver_sql(statement.format(**types))
    for table, column, definition in _V1_ADDED:
        if column not in {c["name"] for c in inspect(connection).get_columns(table)}:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    for statement in _V1_INDEXES:
        connection.exec_driver_sql(statement)


def _to_v2(connection: Connection) -> None:
    """Job items are claimed with leases: the process working one (`lease_owner`) until when
    (`lease_until`, seconds since the epoch) unless it renews it; a lapsed lease is anyone's to take."""
    real = _types(connection)["real"]
    connection.exec_driver_sql("ALTER TABLE items ADD COLUMN lease_owner TEXT")
    connection.exec_driver_sql(f"ALTER TABLE items ADD COLUMN lease_until {real}")


def _to_v3(connection: Connection) -> None:
    """The translation memory's table (its store made it itself before versions: where it is there, as is)."""
    real = _types(connection)["real"]
    connection.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS memory (tenant TEXT NOT NULL, key TEXT NOT NULL, origin TEXT NOT NULL,"
        " source_lang TEXT NOT NULL, source TEXT NOT NULL, translation TEXT NOT NULL,"
        " model TEXT NOT NULL DEFAULT '', extra TEXT NOT NULL DEFAULT '{}',"
        f" created {real} NOT NULL, updated {real} NOT NULL, PRIMARY KEY (tenant, key))"
    )
    connection.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS memory_by_tenant ON memory (tenant, origin, created)"
    )


def _to_v4(connection: Connection) -> None:
    """Leases over replicas beyond the items'. A request's reservation names the process that made it
    (`owner`) and lasts until `lease_until` unless that process's heartbeat renews it: a dead replica's
    is anyone's to give back (a job's reservation has neither: it waits for its job to end). A job's
    claimants are the processes trying to work it now, so that they share its concurrency."""
    real = _types(connection)["real"]
    connection.exec_driver_sql("ALTER TABLE reservations ADD COLUMN owner TEXT")
    connection.exec_driver_sql(f"ALTER TABLE reservations ADD COLUMN lease_until {real}")
    connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS reservations_by_owner ON reservations (owner)")
    connection.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS job_claimants (job_id TEXT NOT NULL, owner TEXT NOT NULL,"
        f" until {real} NOT NULL, PRIMARY KEY (job_id, owner))"
    )


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_to_v1, _to_v2, _to_v3, _to_v4)
LATEST = len(MIGRATIONS)


def version_of(database: Database) -> int:
    """The schema's version (0: made before versions were kept, or empty)."""
    with database.read() as connection:
        return _version(connection)


def _version(connection: Connection) -> int:
    if not inspect(connection).has_table("gazette_schema"):
        return 0
    return int(connection.execute(text("SELECT version FROM gazette_schema")).scalar_one())


def upgrade(database: Database) -> tuple[int, int]:
    """Bring the schema to LATEST; (version before, version after). SchemaTooNew for a newer one."""
    with database.write() as connection:
        database.lock(connection, "gazette_schema")
        before = _version(connection)
        if before > LATEST:
            raise SchemaTooNew(
                f"the database {database.name} has schema version {before}, newer than this Gazette's"
                f" ({LATEST}): it was made or upgraded by a newer release; run that release (or a newer one)"
            )
        for step in MIGRATIONS[before:]:
            step(connection)
        if before == 0:
            connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS gazette_schema (version INTEGER NOT NULL)")
            connection.execute(text("INSERT INTO gazette_schema (version) VALUES (:v)"), {"v": LATEST})
        elif before < LATEST:
            connection.execute(text("UPDATE gazette_schema SET version = :v"), {"v": LATEST})
    if before != LATEST:
        log.info("database %s: schema upgraded from version %d to %d", database.name, before, LATEST)
    database.upgraded = True
    return before, LATEST


def ensure_upgraded(database: Database) -> None:
    """At a store's opening: upgraded once per Database (the stores of one process share it)."""
    if not database.upgraded:
        upgrade(database)
