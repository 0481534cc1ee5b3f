"""The memory as a pool of examples: the entries most like a document, the tenant's own first, the
operator's pool after, and nothing when nothing is alike."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from service.cli import main
from service.memory import MemoryAsk, MemoryStore, TranslationMemory, person_entry
from service.memory.examples import POOL, ExampleFinder
from service.memory.tmx import tmx_bytes
from service.models.backend import ModelInfo

POOL_PAIRS = [
    (
        "厦门市同安区召开质量强区大会，部署今年的质量工作。",
        "Tong'an District of Xiamen held a quality conference.",
    ),
    (
        "同安区高技术产业增加值同比增长百分之二十。",
        "High-tech industry value added in Tong'an grew 20 percent.",
    ),
    (
        "国家统计局今天发布了上月的居民消费价格数据。",
        "The statistics bureau released last month's consumer prices.",
    ),
    ("足球运动员在比赛的最后一分钟打进了制胜球。", "The footballer scored the winner in the last minute."),
    ("科学家在南极洲的冰层下发现了一个湖泊。", "Scientists found a lake under the Antarctic ice."),
]
DOCUMENT = "厦门市同安区召开质量强区大会。\n同安区高技术产业增加值同比增长24.5%。"


def filled(path: Path, pairs: list[tuple[str, str]] = POOL_PAIRS, owner: str = POOL) -> MemoryStore:
    store = MemoryStore(path)
    store.put(person_entry(owner, "zh", source, english) for source, english in pairs)
    return store


def test_the_pool_entries_most_like_a_document_are_its_examples(tmp_path: Path) -> None:
    store = filled(tmp_path / "db.sqlite3")
    found = ExampleFinder(lambda: store).find("acme", "zh", DOCUMENT)
    assert {example.source for example in found} == {POOL_PAIRS[0][0], POOL_PAIRS[1][0]}
    assert all(example.translation == dict(POOL_PAIRS)[example.source] for example in found)


def test_a_document_like_nothing_in_the_pool_gets_no_examples(tmp_path: Path) -> None:
    store = filled(tmp_path / "db.sqlite3")
    assert ExampleFinder(lambda: store).find("acme", "zh", "今天天气很好，我们去公园散步吧。") == ()
    assert ExampleFinder(lambda: store).find("acme", "ja", DOCUMENT) == ()  # another language's are not


def test_the_tenants_own_entries_come_before_the_pool_and_no_one_elses(tmp_path: Path) -> None:
    own = ("同安区召开质量强区大会，区长出席并讲话。", "Tong'an held its quality conference; the head spoke.")
    store = filled(tmp_path / "db.sqlite3")
    store.put([person_entry("acme", "zh", *own), person_entry("other", "zh", *POOL_PAIRS[1])])
    finder = ExampleFinder(lambda: store, count=1)
    assert [e.source for e in finder.find("acme", "zh", DOCUMENT)] == [own[0]]
    assert [e.source for e in finder.find("nobody", "zh", DOCUMENT)] != [own[0]]


def test_a_changed_pool_is_read_again(tmp_path: Path) -> None:
    store = filled(tmp_path / "db.sqlite3", POOL_PAIRS[2:])
    finder = ExampleFinder(lambda: store)
    assert finder.find("acme", "zh", DOCUMENT) == ()
    store.put([person_entry(POOL, "zh", *POOL_PAIRS[0])])
    assert [e.source for e in finder.find("acme", "zh", DOCUMENT)] == [POOL_PAIRS[0][0]]


def test_the_pool_is_never_recalled_as_a_translation(tmp_path: Path) -> None:
    filled(tmp_path / "db.sqlite3").close()
    memory = TranslationMemory(tmp_path / "db.sqlite3")
    info = ModelInfo("m", "llama.cpp", "translate", "local")
    for tenant in ("anonymous", "acme"):
        [recalled] = asyncio.run(memory.recall(tenant, info, "zh", [MemoryAsk(POOL_PAIRS[0][0])]))
        assert recalled is None
    memory.close()


def test_memory_import_pool_files_a_tmx_as_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = tmp_path / "db.sqlite3"
    monkeypatch.setenv("GAZETTE_DB", str(database))
    tmx = tmp_path / "pool.tmx"
    tmx.write_bytes(tmx_bytes([person_entry("x", "zh", s, e) for s, e in POOL_PAIRS]))
    assert main(["memory", "import", "--tmx", str(tmx), "--pool"]) == 0
    store = MemoryStore(database)
    assert store.stamp(POOL, "person")[0] == len(POOL_PAIRS)
    assert store.entries("anonymous") == []
    store.close()


def test_a_pair_whose_english_is_a_mere_clause_is_not_an_example(tmp_path: Path) -> None:
    clipped = (POOL_PAIRS[0][0], "Tong'an met.")  # 12 characters for 26: not a translation of it
    store = filled(tmp_path / "db.sqlite3", [clipped, *POOL_PAIRS[1:]])
    assert POOL_PAIRS[0][0] not in {
        e.source for e in ExampleFinder(lambda: store).find("acme", "zh", DOCUMENT)
    }
