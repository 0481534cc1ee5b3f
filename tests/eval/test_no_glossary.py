"""`gazette eval --no-glossary`: the suite's rows go to the translator without their own glossaries, the
report says so, and the output cache keeps the two runs apart (the row's glossary is in its key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import eval.harness
from eval.suites import SUITES, Row, Suite
from service.cli import main
from tests.eval.fakes import StandInGazette

GLOSSARY = {"同安区": "Tong'an District"}
ROW = Row(
    "with a glossary",
    "zh",
    ("同安区召开质量大会。",),
    ("Tong'an District held a conference.",),
    glossary=GLOSSARY,
)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> StandInGazette:
    """The command's own path, with the stand-in where `Gazette` is and a one-row suite as 'seed'."""
    stand_in = StandInGazette()
    monkeypatch.setattr(eval.harness, "Gazette", lambda settings: stand_in)
    monkeypatch.setitem(SUITES, "seed", lambda data, limit: Suite("seed", "one row", (ROW,)))
    monkeypatch.setenv("GAZETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path / "cache"))
    return stand_in


def run(tmp_path: Path, *flags: str) -> dict[str, Any]:
    reports = tmp_path / "reports"
    assert main(["eval", "--suite", "seed", "--report", str(reports), *flags]) == 0
    report: dict[str, Any] = json.loads((reports / "seed.json").read_text(encoding="utf-8"))
    return report


def test_without_glossaries_the_jobs_carry_none_and_the_report_says_so(
    engine: StandInGazette, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run(tmp_path, "--no-glossary")
    assert [dict(job.glossary) for job in engine.jobs] == [{}]
    assert report["no_glossary"] is True
    printed = capsys.readouterr().out
    assert "Run with `--no-glossary`" in printed
    assert "Run with `--no-glossary`" in (tmp_path / "reports" / "seed.md").read_text(encoding="utf-8")
    assert "--no-glossary" in (tmp_path / "reports" / "seed.html").read_text(encoding="utf-8")


def test_with_and_without_glossaries_are_cached_apart(engine: StandInGazette, tmp_path: Path) -> None:
    first = run(tmp_path)
    assert first["no_glossary"] is False and [dict(job.glossary) for job in engine.jobs] == [GLOSSARY]
    without = run(tmp_path, "--no-glossary")
    again = run(tmp_path, "--no-glossary")
    assert [dict(job.glossary) for job in engine.jobs] == [GLOSSARY, {}]  # the third run: all cached
    rows = [report["rows"][0] for report in (first, without, again)]
    assert [(row["translated"], row["cached"]) for row in rows] == [(1, 0), (1, 0), (0, 1)]
    assert rows[0]["glossary"] == {"terms": 1, "applied": 0} and rows[1]["glossary"] is None
