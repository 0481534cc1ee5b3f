"""One versioned schema: a database made before versions were kept is upgraded with its data, a new one
(SQLite or PostgreSQL) starts at the latest version, and one from a newer release is refused."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from service.compat.deepl_store import DeepLStore
from service.db import Database, SchemaTooNew
from service.db.migrations import LATEST, upgrade, version_of
from service.glossary.store import GlossaryStore
from service.jobs.store import JobStore
from service.key_store import KeyStore
from service.memory import MemoryStore
from service.usage_store import UsageStore

OLD = Path(__file__).parent / "data" / "before-migrations.sqlite3"
OLD_JOB = "5ba0f396fb6846b0a4759bed47a60b7b"  # what tests/db/make_old_db.py printed when it made OLD


def test_a_database_made_before_versions_is_upgraded_with_everything_in_it(tmp_path: Path) -> None:
    path = tmp_path / "gazette.sqlite3"
    shutil.copy(OLD, path)
    assert version_of(Database(path)) == 0
    jobs = JobStore(path)
    assert version_of(jobs.database) == LATEST
    job = jobs.get(OLD_JOB, "alice")
    assert job is not None and (job.state, job.total, job.done, job.files) == ("running", 2, 1, ("a.txt",))
    assert [record["translation"] for _, record in jobs.records(OLD_JOB)] == ["Hello."]
    # The item left pending can be claimed with a lease (a column version 2 added).
    [pending] = jobs.claim(OLD_JOB, "me", 5, 60.0)
    assert (pending.position, pending.item.text) == (1, "再见。")
    assert [g.name for g in GlossaryStore(path).all_now("alice")] == ["news"]
    assert [k.name for k in KeyStore(path).all()] == ["alice"]
    assert UsageStore(path).all_usage() == {"alice": 25}
    assert DeepLStore(path)._document(OLD_JOB) == ("0" * 64, "a.txt")
    assert MemoryStore(path).entries() == []  # its table made by version 3


def test_the_old_fixture_was_made_by_the_unversioned_stores() -> None:
    # Its tables are those of the code before versions: no version table, no lease columns.
    with sqlite3.connect(f"file:{OLD}?mode=ro&immutable=1", uri=True) as old:  # no -wal/-shm beside it
        tables = {row[0] for row in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {row[1] for row in old.execute("PRAGMA table_info(items)")}
    assert "gazette_schema" not in tables and {"jobs", "items", "api_keys", "reservations"} <= tables
    assert "lease_until" not in columns


def test_a_new_database_starts_at_the_latest_version_and_upgrading_again_does_nothing(
    db_target: str | Path,
) -> None:
    database = Database(db_target)
    assert upgrade(database) == (0, LATEST)
    assert upgrade(database) == (LATEST, LATEST)
    assert version_of(database) == LATEST
    database.close()


def test_a_database_from_a_newer_release_is_refused(db_target: str | Path) -> None:
    database = Database(db_target)
    upgrade(database)
    with database.write() as connection:
        connection.exec_driver_sql(f"UPDATE gazette_schema SET version = {LATEST + 1}")
    database.close()
    with pytest.raises(SchemaTooNew, match=f"schema version {LATEST + 1}, newer than this Gazette's"):
        JobStore(db_target)


def test_gazette_db_upgrade_upgrades_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gazette.sqlite3"
    shutil.copy(OLD, path)
    env = {"GAZETTE_DB": str(path), "PATH": "/usr/bin:/bin"}
    ran = subprocess.run([sys.executable, "-m", "service.cli", "db", "upgrade"], env=env,
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert f"from version 0 to {LATEST}" in ran.stdout
    assert version_of(Database(path)) == LATEST
