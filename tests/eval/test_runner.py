"""The runner above the engine: failures per line, the mapping of a document's paragraphs to lines, and
the output cache, which must hand back an output only while nothing that shaped it has changed.
A stand-in engine is enough here; the model path is covered end to end in test_harness.py."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

import eval.runner
import service.glossary
from eval.cache import OutputCache
from eval.runner import RowResult, RunConfig, SuiteRunner
from eval.suites import Row, Suite
from service.glossary import GlossaryEntry
from service.settings import Settings
from tests.eval.fakes import PROMPTED, StandInEngine

ROW = Row("one line", "zh", ("好的。",), ("English 1.",))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[OutputCache]:
    store = OutputCache(tmp_path / "outputs.sqlite3")
    yield store
    store.close()


def run_row(row: Row, engine: StandInEngine, tmp_path: Path, cache: OutputCache | None = None) -> RowResult:
    config = RunConfig(use_cache=cache is not None)
    runner = SuiteRunner(Settings(model_cache=tmp_path), engine, cache, config)
    return asyncio.run(runner.run_row(row))


def test_a_failing_line_is_scored_empty_and_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    row = Row("two lines", "zh", ("好的。", "坏的。"), ("English 1.", "English 1."))
    result = run_row(row, StandInEngine(fail_on="坏"), tmp_path)
    assert [line.output for line in result.results] == ["English 1.", ""]
    assert result.checks == {"empty_translation": 1}
    assert "model fell over" in caplog.text


def test_a_document_row_maps_paragraphs_back_to_lines(tmp_path: Path) -> None:
    row = Row("doc", "zh", ("第一段。", "第二段。"), ("English 1.", "English 2."), as_document=True)
    result = run_row(row, StandInEngine(), tmp_path)
    assert [line.output for line in result.results] == ["English 1.", "English 2."]
    assert result.scores.chrf == 100.0 and result.translated == 1


def test_the_same_inputs_come_from_the_cache(tmp_path: Path, cache: OutputCache, prompts: Path) -> None:
    engine = StandInEngine(info=PROMPTED)
    first = run_row(ROW, engine, tmp_path, cache)
    second = run_row(ROW, engine, tmp_path, cache)
    assert (first.translated, second.translated, second.cached) == (1, 0, 1)
    assert len(engine.translated) == 1 and second.results == first.results


def test_a_changed_builtin_glossary_translates_again(
    tmp_path: Path, cache: OutputCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = StandInEngine()
    run_row(ROW, engine, tmp_path, cache)
    edited = (*service.glossary.builtin_entries(), GlossaryEntry("好的", "fine", "built-in"))
    monkeypatch.setattr(service.glossary, "builtin_entries", lambda: edited)  # what build_glossary reads
    assert run_row(ROW, engine, tmp_path, cache).translated == 1
    assert len(engine.translated) == 2


def test_an_edited_prompt_template_translates_again(
    tmp_path: Path, cache: OutputCache, prompts: Path
) -> None:
    engine = StandInEngine(info=PROMPTED)
    run_row(ROW, engine, tmp_path, cache)
    # Same name and version, different text: what a key made of names alone would miss.
    (prompts / "fam" / "translate.v1.toml").write_text('system = "Translate carefully."\n', encoding="utf-8")
    assert run_row(ROW, engine, tmp_path, cache).translated == 1
    assert len(engine.translated) == 2


def test_changed_code_translates_again_and_is_read_once_per_run(
    tmp_path: Path, cache: OutputCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = iter(["0.1.0+aaaa", "0.1.0+bbbb"])
    calls: list[str] = []

    def code_version() -> str:
        calls.append(version := next(versions))
        return version

    monkeypatch.setattr(eval.runner, "code_version", code_version)
    engine = StandInEngine()
    runner = SuiteRunner(Settings(model_cache=tmp_path), engine, cache, RunConfig())
    two_rows = [ROW, Row("another", "zh", ("坏的。",), ("English 1.",))]
    asyncio.run(runner.run(Suite("s", "two rows", tuple(two_rows))))
    assert calls == ["0.1.0+aaaa"]  # one run, one code version, however many rows
    assert run_row(ROW, engine, tmp_path, cache).translated == 1  # a new run, the next version
    assert len(engine.translated) == 3
