"""The parts of the output cache key: each changes when what it stands for changes, and only then."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import eval.runner
import service.glossary
from eval.cache import output_key
from eval.fingerprint import (
    code_version,
    distribution_version,
    glossary_digest,
    source_digest,
    template_path,
    templates_digest,
)
from eval.runner import RunConfig, SuiteRunner
from eval.suites import Row
from service.glossary import GlossaryEntry
from service.models.prompts import all_templates, default_prompts_dir
from service.settings import Settings
from tests.eval.fakes import PROMPTED, TEMPLATE, StandInEngine

ROW = Row("row", "zh", ("好的。",), ("Fine.",), glossary={"同安区": "Tong'an District"})


def key(tmp_path: Path, row: Row, engine: StandInEngine | None = None) -> str:
    runner = SuiteRunner(Settings(model_cache=tmp_path), engine or StandInEngine(), None, RunConfig())
    return output_key(asyncio.run(runner.fingerprint(row)), "好的。")


def test_the_same_inputs_give_the_same_key(tmp_path: Path) -> None:
    assert key(tmp_path, ROW) == key(tmp_path, ROW)


def test_the_key_keeps_what_it_had_and_adds_the_rest(tmp_path: Path) -> None:
    runner = SuiteRunner(Settings(model_cache=tmp_path), StandInEngine(), None, RunConfig())
    fingerprint = json.loads(asyncio.run(runner.fingerprint(ROW)))
    assert {"model", "settings", "source_lang", "clean_input", "glossary"} <= set(fingerprint)
    assert {"effective_glossary", "templates", "code"} <= set(fingerprint)


def test_the_builtin_glossary_is_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = key(tmp_path, ROW)
    edited = tuple(
        GlossaryEntry(e.term, e.rendering + " (new)", e.origin) for e in service.glossary.builtin_entries()
    )
    monkeypatch.setattr(service.glossary, "builtin_entries", lambda: edited)
    assert key(tmp_path, ROW) != before


def test_the_effective_glossary_is_what_the_pipeline_would_use() -> None:
    assert glossary_digest({"同安区": "Tong'an District"}) != glossary_digest({"同安区": "Tong'an"})
    # The row's glossary is read in Simplified script, as build_glossary reads it: the same entries.
    assert glossary_digest({"同安區": "Tong'an"}) == glossary_digest({"同安区": "Tong'an"})
    assert glossary_digest({}) == glossary_digest(None)


def test_a_template_edit_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prompts: Path
) -> None:
    engine = StandInEngine(info=PROMPTED)
    before = key(tmp_path, ROW, engine)
    assert key(tmp_path, ROW, engine) == before
    template_path(prompts, TEMPLATE).write_text('system = "Be terse."\n', encoding="utf-8")
    assert key(tmp_path, ROW, engine) != before


def test_templates_are_hashed_by_contents_and_a_missing_one_counts(tmp_path: Path) -> None:
    (tmp_path / "fam").mkdir()
    path = tmp_path / "fam" / "translate.v2.toml"
    missing = templates_digest(["fam/translate.v2"], tmp_path)
    path.write_text("a", encoding="utf-8")
    first = templates_digest(["fam/translate.v2"], tmp_path)
    path.write_text("b", encoding="utf-8")
    assert len({missing, first, templates_digest(["fam/translate.v2"], tmp_path)}) == 3
    assert templates_digest([], tmp_path) != missing


def test_template_names_lead_to_the_files_the_service_loads() -> None:
    folder = default_prompts_dir()
    templates = all_templates(folder)
    assert templates  # the checkout ships some
    assert all(template_path(folder, template.name).is_file() for template in templates)


def test_the_code_digest_covers_output_code_only(tmp_path: Path) -> None:
    for name in ("text/a.py", "pipeline/b.py", "glossary/builtin.tsv", "models/c.py", "api/d.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    before = source_digest(tmp_path)
    (tmp_path / "api" / "d.py").write_text("x = 2\n", encoding="utf-8")  # serving code: same outputs
    assert source_digest(tmp_path) == before
    for name in ("text/a.py", "glossary/builtin.tsv", "models/c.py"):
        (tmp_path / name).write_text("changed\n", encoding="utf-8")
        assert source_digest(tmp_path) != before
        before = source_digest(tmp_path)
    (tmp_path / "pipeline" / "e.py").write_text("", encoding="utf-8")  # a new module counts too
    assert source_digest(tmp_path) != before
    before = source_digest(tmp_path)
    # The confidence's calibration is applied when scoring, to the basis the cache keeps: no new key.
    (tmp_path / "pipeline" / "confidence.py").write_text("CALIBRATION = 1\n", encoding="utf-8")
    assert source_digest(tmp_path) == before


def test_the_code_version_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version = code_version()
    assert version.partition("+")[0] == distribution_version() and len(version.partition("+")[2]) == 16
    before = key(tmp_path, ROW)
    monkeypatch.setattr(eval.runner, "code_version", lambda: version + "-edited")
    assert key(tmp_path, ROW) != before


@pytest.mark.parametrize("setting", ["auto_terms", "prompt_context"])
def test_settings_that_change_the_prompt_are_in_the_key(tmp_path: Path, setting: str) -> None:
    def key_with(value: bool) -> str:
        settings = Settings(model_cache=tmp_path).model_copy(update={setting: value})
        runner = SuiteRunner(settings, StandInEngine(), None, RunConfig())
        return output_key(asyncio.run(runner.fingerprint(ROW)), "好的。")

    assert key_with(True) != key_with(False)
