"""The runner above the pipeline: failures per line, and the mapping of a document's paragraphs to lines.
A stand-in pipeline is enough here; the model path is covered end to end in test_harness.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from eval.runner import RunConfig, SuiteRunner
from eval.suites import Row
from service.models.backend import ModelInfo
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument, TranslatedSegment
from service.settings import Settings


@dataclass
class StandInPipeline:
    fail_on: str

    def __post_init__(self) -> None:
        info = ModelInfo(model="stand-in", engine="none", task="translate", source="built")

        async def translator(_: str) -> Any:
            return SimpleNamespace(backend=SimpleNamespace(info=info))

        self.registry = SimpleNamespace(translator=translator)

    async def translate(self, job: TranslateJob) -> TranslatedDocument:
        if self.fail_on in job.text:
            raise RuntimeError("model fell over")
        segments = tuple(
            TranslatedSegment(f"p{n}.s1", n, line, line, f"English {n}.")
            for n, line in enumerate(job.text.splitlines(), start=1)
        )
        return TranslatedDocument("zh", None, "\n".join(s.translation for s in segments), segments)


def run_row(row: Row, pipeline: StandInPipeline, tmp_path: Path) -> Any:
    runner = SuiteRunner(Settings(model_cache=tmp_path), pipeline, None, RunConfig(use_cache=False))  # type: ignore[arg-type]
    return asyncio.run(runner.run_row(row))


def test_a_failing_line_is_scored_empty_and_said(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    row = Row("two lines", "zh", ("好的。", "坏的。"), ("English 1.", "English 1."))
    result = run_row(row, StandInPipeline(fail_on="坏"), tmp_path)
    assert [line.output for line in result.results] == ["English 1.", ""]
    assert result.checks == {"empty_translation": 1}
    assert "model fell over" in caplog.text


def test_a_document_row_maps_paragraphs_back_to_lines(tmp_path: Path) -> None:
    row = Row("doc", "zh", ("第一段。", "第二段。"), ("English 1.", "English 2."), as_document=True)
    result = run_row(row, StandInPipeline(fail_on="never"), tmp_path)
    assert [line.output for line in result.results] == ["English 1.", "English 2."]
    assert result.scores.chrf == 100.0 and result.translated == 1
