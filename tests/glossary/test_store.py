"""The glossary store: glossaries made, read, listed and deleted, durable in the jobs' SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from service.glossary.store import GlossaryStore
from service.sqlite_file import StoreWriteFailed

ENTRIES = [("国务院", "State Council"), ("召开", "convened"), ("會議", "meeting")]


def test_made_read_listed_and_deleted(tmp_path: Path) -> None:
    store = GlossaryStore(tmp_path / "gazette.sqlite3")
    made = store.create_now("news", "zh", "en", ENTRIES)
    other = store.create_now("other", "ja", "en", [("会議", "meeting")])
    assert made.entries == tuple(ENTRIES)  # in the order given
    assert made.mapping() == dict(ENTRIES)
    assert store.get_now(made.id) == made
    assert store.all_now() == [made, other]
    assert store.get_now("nope") is None
    assert store.delete_now(made.id) is True
    assert store.delete_now(made.id) is False
    assert store.all_now() == [other]


def test_a_glossary_is_committed_before_its_id_is_given_out(tmp_path: Path) -> None:
    path = tmp_path / "gazette.sqlite3"
    made = GlossaryStore(path).create_now("news", "zh", "en", ENTRIES)
    # Another connection (another process after a crash) sees it at once; and the file is in WAL mode.
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT name FROM glossaries WHERE id = ?", (made.id,)).fetchone() == ("news",)
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert GlossaryStore(path).get_now(made.id) == made


def test_the_async_methods_run_off_the_event_loop(tmp_path: Path) -> None:
    store = GlossaryStore(tmp_path / "gazette.sqlite3")

    async def use() -> None:
        made = await store.create("news", "zh", "en", ENTRIES)
        assert await store.get(made.id) == made
        assert await store.all() == [made]
        assert await store.delete(made.id)
        assert await store.get(made.id) is None

    asyncio.run(use())
    store.close()


def test_a_full_disk_refuses_a_glossary_whole_and_the_store_goes_on(tmp_path: Path) -> None:
    store = GlossaryStore(tmp_path / "gazette.sqlite3")
    kept = store.create_now("kept", "zh", "en", ENTRIES)
    big = [(f"术语{n}", "x" * 2000) for n in range(20)]  # needs new pages: no room in the file as it is
    store.limit_size(0)
    with pytest.raises(StoreWriteFailed, match="database or disk is full"):
        store.create_now("big", "zh", "en", big)
    assert store.all_now() == [kept]
    store.limit_size(None)
    assert store.create_now("big", "zh", "en", big).entries == tuple(big)
