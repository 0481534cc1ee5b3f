from __future__ import annotations

from pathlib import Path

import pytest

import eval.suites
from eval import SUITE_NAMES
from eval.names import name_found
from eval.suites import (
    EXAMPLE_POOL,
    FLORES_DEV_START,
    SUITES,
    DataMissing,
    Row,
    Suite,
    load_suite,
    without_glossaries,
)


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


@pytest.mark.eval_data
def test_names_suite_keeps_lines_with_names_and_limits_after_keeping(
    eval_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = eval.suites.reference_names

    def counted(source: str, reference: str) -> tuple[str, ...]:
        calls.append(source)
        return real(source, reference)

    monkeypatch.setattr(eval.suites, "reference_names", counted)
    (row,) = load_suite("names", eval_dir, limit=40).rows
    assert len(row.sources) == len(row.references) == len(row.names or ()) == 40
    assert all(row.names or ()) and row.source_lang == "zh" and row.glossary == {}
    for names, reference in zip(row.names or (), row.references, strict=True):
        assert all(name_found(name, reference) for name in names)
    # newstest2019 comes first, its lines in order; no line after the 40th kept one was looked at.
    newstest2019 = (eval_dir / "wmt" / "newstest2019.zh-en.zh").read_text(encoding="utf-8").splitlines()
    assert calls == newstest2019[: len(calls)] and calls[-1] == row.sources[-1]
    assert [line for line in calls if line in row.sources] == list(row.sources)


def test_the_names_suite_holds_no_line_of_the_example_pool(eval_dir: Path) -> None:
    # newstest2017 and 2018 are the pool examples are drawn from: a figure on their lines would flatter.
    pool = {
        line
        for source, _ in EXAMPLE_POOL
        for line in (eval_dir / source).read_text(encoding="utf-8").splitlines()
    }
    (row,) = load_suite("names", eval_dir, limit=None).rows
    assert len(row.sources) > 500 and not pool & set(row.sources)


@pytest.mark.eval_data
@pytest.mark.parametrize("name", [name for name in SUITES if name != "names"])
def test_no_suite_holds_a_line_of_the_example_pool(name: str, eval_dir: Path) -> None:
    """`--examples-pool` shows examples from newstest2017-18: no figure may be of their lines."""
    pool = {
        line
        for source, _ in EXAMPLE_POOL
        for line in (eval_dir / source).read_text(encoding="utf-8").splitlines()
    }
    for row in load_suite(name, eval_dir, limit=None).rows:
        assert not pool & set(row.sources), row.name


@pytest.mark.eval_data
def test_the_flores_suites_stop_before_the_development_lines(eval_dir: Path) -> None:
    """The confidence is calibrated on flores-dev: the FLORES figures are of other lines."""
    (dev,) = load_suite("flores-dev", eval_dir, limit=None).rows
    assert len(dev.sources) == 1012 - FLORES_DEV_START
    for name in ("flores-zho", "flores-multi"):
        for row in load_suite(name, eval_dir, limit=None).rows:
            assert len(row.sources) == FLORES_DEV_START and not set(dev.references) & set(row.references)
    (limited,) = load_suite("flores-dev", eval_dir, limit=5).rows
    assert limited.sources == dev.sources[:5]


def test_without_glossaries_empties_every_row_glossary_and_nothing_else() -> None:
    row = Row("r", "zh", ("同安区",), ("Tong'an",), glossary={"同安区": "Tong'an District"}, as_document=True)
    suite = without_glossaries(Suite("s", "d", (row, row)))
    assert [dict(r.glossary) for r in suite.rows] == [{}, {}]
    assert suite.rows[0].as_document and suite.rows[0].sources == row.sources and suite.name == "s"


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataMissing, match="GAZETTE_DATA_DIR"):
        load_suite("seed", None)
    with pytest.raises(DataMissing, match="seed"):
        load_suite("seed", tmp_path)
    with pytest.raises(KeyError, match="unknown suite"):
        load_suite("nope", tmp_path)
