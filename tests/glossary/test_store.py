"""The glossary store: glossaries made, read, listed and deleted, durable in the service's database (SQLite, then PostgreSQL, where the test is not of SQLite's file)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from service.db.errors import StoreWriteFailed
from service.glossary.store import GlossaryStore

ENTRIES = [("国务院", "State Council"), ("召开", "convened"), ("會議", "meeting")]


def test_made_read_listed_and_deleted(db_target: str | Path) -> None:
    store = GlossaryStore(db_target)
    made = store.create_now("t", "news", "zh", "en", ENTRIES)
    other = store.create_now("t", "other", "ja", "en", [("会議", "meeting")])
    assert made.entries == tuple(ENTRIES)  # in the order given
    assert made.mapping() == dict(ENTRIES)
    assert store.get_now("t", made.id) == made
    assert store.all_now("t") == [made, other]
    assert store.get_now("t", "nope") is None
    assert store.delete_now("t", made.id) is True
    assert store.delete_now("t", made.id) is False
    assert store.all_now("t") == [other]


def test_another_tenants_glossary_is_as_good_as_none(db_target: str | Path) -> None:
    store = GlossaryStore(db_target)
    made = store.create_now("ka", "news", "zh", "en", ENTRIES)
    assert store.get_now("kb", made.id) is None
    assert store.all_now("kb") == []
    assert store.delete_now("kb", made.id) is False
    assert store.get_now("ka", made.id) == made  # still there


def test_a_glossary_made_before_tenants_is_the_anonymous_tenants(tmp_path: Path) -> None:
    path = tmp_path / "gazette.sqlite3"
    with sqlite3.connect(path) as old:  # the table as the version before tenants made it
        old.execute(
            "CREATE TABLE glossaries (id TEXT PRIMARY KEY, name TEXT NOT NULL, source_lang TEXT NOT NULL,"
            " target_lang TEXT NOT NULL, entries TEXT NOT NULL, created REAL NOT NULL)"
        )
        old.execute("INSERT INTO glossaries VALUES ('g1', 'old', 'zh', 'en', '[[\"a\", \"b\"]]', 1.0)")
    store = GlossaryStore(path)
    assert [glossary.id for glossary in store.all_now("anonymous")] == ["g1"]
    assert store.all_now("ka") == []


def test_a_glossary_is_committed_before_its_id_is_given_out(tmp_path: Path) -> None:
    path = tmp_path / "gazette.sqlite3"
    made = GlossaryStore(path).create_now("t", "news", "zh", "en", ENTRIES)
    # Another connection (another process after a crash) sees it at once; and the file is in WAL mode.
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT name FROM glossaries WHERE id = ?", (made.id,)).fetchone() == ("news",)
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert GlossaryStore(path).get_now("t", made.id) == made


def test_the_async_methods_run_off_the_event_loop(db_target: str | Path) -> None:
    store = GlossaryStore(db_target)

    async def use() -> None:
        made = await store.create("t", "news", "zh", "en", ENTRIES)
        assert await store.get("t", made.id) == made
        assert await store.all("t") == [made]
        assert await store.delete("t", made.id)
        assert await store.get("t", made.id) is None

    asyncio.run(use())
    store.close()


def test_a_full_disk_refuses_a_glossary_whole_and_the_store_goes_on(tmp_path: Path) -> None:
    store = GlossaryStore(tmp_path / "gazette.sqlite3")
    kept = store.create_now("t", "kept", "zh", "en", ENTRIES)
    big = [(f"术语{n}", "x" * 2000) for n in range(20)]  # needs new pages: no room in the file as it is
    store.limit_size(0)
    with pytest.raises(StoreWriteFailed, match="database or disk is full"):
        store.create_now("t", "big", "zh", "en", big)
    assert store.all_now("t") == [kept]
    store.limit_size(None)
    assert store.create_now("t", "big", "zh", "en", big).entries == tuple(big)
