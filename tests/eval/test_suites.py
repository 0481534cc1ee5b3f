from __future__ import annotations

from pathlib import Path

import pytest

from eval import SUITE_NAMES
from eval.suites import SUITES, DataMissing, load_suite


def test_the_command_line_offers_every_suite() -> None:
    assert tuple(SUITES) == SUITE_NAMES


@pytest.mark.eval_data
@pytest.mark.parametrize("name", list(SUITES))
def test_every_suite_loads_aligned_rows(name: str, eval_dir: Path) -> None:
    suite = load_suite(name, eval_dir, limit=5)
    assert suite.rows
    for row in suite.rows:
        assert len(row.sources) == len(row.references) == 5
        assert row.system_outputs is None or len(row.system_outputs) == 5


@pytest.mark.eval_data
def test_seed_suite_brings_its_glossary_and_reference_bullets(eval_dir: Path) -> None:
    suite = load_suite("seed", eval_dir)
    row = suite.rows[0]
    assert row.as_document and len(row.sources) == 14
    assert row.glossary["同安区"] == "Tong'an District"
    assert len(suite.reference_bullets) == 5 and suite.reference_bullets[1].source_lines == (2,)


@pytest.mark.eval_data
def test_noisy_suite_scores_clean_noisy_and_uncleaned_side_by_side(eval_dir: Path) -> None:
    clean, noisy, raw = load_suite("noisy", eval_dir, limit=3).rows
    assert noisy.sources == raw.sources != clean.sources
    assert noisy.clean_input and not raw.clean_input
    assert any("(" in line for line in noisy.sources)


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataMissing, match="GAZETTE_DATA_DIR"):
        load_suite("seed", None)
    with pytest.raises(DataMissing, match="seed"):
        load_suite("seed", tmp_path)
    with pytest.raises(KeyError, match="unknown suite"):
        load_suite("nope", tmp_path)
