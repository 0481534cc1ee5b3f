"""`gazette eval` end to end: the calibration figures, and the seed suite on the tiny Marian model through
the same pipeline and loading code as the service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main

pytestmark = pytest.mark.eval_data


@pytest.fixture
def eval_env(monkeypatch: pytest.MonkeyPatch, eval_dir: Path, tiny_marian_dir: Path, tmp_path: Path) -> Path:
    monkeypatch.setenv("GAZETTE_DATA_DIR", str(eval_dir))
    monkeypatch.setenv("GAZETTE_TRANSLATE_MODEL", str(tiny_marian_dir))
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GAZETTE_NUM_BEAMS", "1")
    return tmp_path


def test_calibration_prints_the_official_figures(eval_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--suite", "calibration"]) == 0
    printed = capsys.readouterr().out
    assert "| 32.41 | 61.34 |" in printed
    assert "| 28.75 | 58.23 |" in printed


def test_seed_suite_on_the_tiny_model_writes_every_report(
    eval_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = eval_env / "reports"
    assert main(["eval", "--suite", "seed", "--profile", "tiny", "--report", str(reports)]) == 0
    report = json.loads((reports / "seed.json").read_text(encoding="utf-8"))
    row = report["rows"][0]
    assert report["profile"] == "tiny" and row["lines"] == 14
    assert {"bleu", "chrf", "chrf++"} <= set(row) and row["translated"] == 1
    assert row["glossary"]["terms"] > 0  # the seed glossary's terms were looked for
    # Tiny random weights: noise, which the reference-free checks must catch.
    assert row["checks"].get("untranslated_text", 0) + row["checks"].get("length_ratio", 0) > 0
    assert len(row["segments"]) == 14 and all("findings" in line for line in row["segments"])
    assert "| seed (zh-Hant, noisy) → en | 14 |" in (reports / "seed.md").read_text(encoding="utf-8")
    bullets = report["bullets"]  # summarised from the same translation, checked by the eval's own checks
    assert 1 <= len(bullets["bullets"]) <= bullets["requested"] == 5
    assert all(bullet["problems"] == [] and bullet["sources"] for bullet in bullets["bullets"])
    assert set(bullets["rouge"]) == {"rouge1", "rouge2", "rougeL"}
    page = (reports / "seed.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "lowest chrF" in page

    capsys.readouterr()
    assert (
        main(["eval", "--suite", "seed", "--profile", "tiny", "--compare", str(reports / "seed.json")]) == 0
    )
    printed = capsys.readouterr().out
    assert "bleu +0.00, chrf +0.00, chrf++ +0.00; checks: unchanged" in printed  # the cache answered
    assert "| cached |" in printed


def test_limit_applies_per_set_and_lines_are_translated_one_document_each(
    eval_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = eval_env / "reports"
    assert (
        main(["eval", "--suite", "noisy", "--profile", "tiny", "--limit", "3", "--report", str(reports)]) == 0
    )
    rows = json.loads((reports / "noisy.json").read_text(encoding="utf-8"))["rows"]
    assert [row["lines"] for row in rows] == [3, 3, 3]
    assert [row["translated"] for row in rows] == [3, 3, 3]
    assert "| chrf |" in capsys.readouterr().out  # the cost of noise and what cleaning wins back


def test_without_data_the_command_says_where_to_put_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAZETTE_DATA_DIR", str(tmp_path / "nowhere"))
    assert main(["eval", "--suite", "seed"]) == 2
    assert "GAZETTE_DATA_DIR" in capsys.readouterr().err


def test_flores_dev_reports_confidence_ranking_and_fits_a_calibration(
    eval_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scipy.stats import spearmanr

    reports = eval_env / "reports"
    argv = ["eval", "--suite", "flores-dev", "--profile", "tiny", "--limit", "12", "--fit-confidence"]
    assert main([*argv, "--report", str(reports)]) == 0
    printed = capsys.readouterr().out
    row = json.loads((reports / "flores-dev.json").read_text(encoding="utf-8"))["rows"][0]
    lines = row["segments"]
    assert len(lines) == 12 and all(0 <= line["confidence"] <= 1 for line in lines)
    assert all(line["basis"]["tokens"] > 0 for line in lines)  # the model's own log-probabilities
    rho = spearmanr([line["confidence"] for line in lines], [line["chrf"] for line in lines]).statistic
    assert row["confidence"]["spearman"] == pytest.approx(rho, abs=1e-3)
    assert row["confidence"]["lines"] == 12
    assert "confidence: Spearman with sentence chrF" in printed
    assert "fitted confidence calibration: Calibration(intercept=" in printed


def test_the_example_pool_is_filed_once_in_the_evaluations_own_database(
    eval_dir: Path, tmp_path: Path
) -> None:
    from eval.examples_pool import file_pool, pool_pairs
    from service.memory import MemoryStore
    from service.memory.examples import POOL

    held = file_pool(tmp_path / "pool.sqlite3", eval_dir)
    assert held == len({source for source, _ in pool_pairs(eval_dir)}) > 5000
    assert file_pool(tmp_path / "pool.sqlite3", eval_dir) == held
    store = MemoryStore(tmp_path / "pool.sqlite3")
    assert {entry.tenant for entry in store.entries()} == {POOL}
    store.close()
