"""Name accuracy beside chrF: each line's reference names looked for in its output, totalled per row, and
shown in the JSON, Markdown and HTML reports and in a comparison with an earlier report."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from eval.report import build_report, compare, html, markdown
from eval.runner import RowResult, RunConfig, SuiteRunner
from eval.suites import Row
from service.settings import Settings
from tests.eval.fakes import StandInEngine

ZHOU = "厦门市同安区区长周桂良出席会议。"
ZHANG = "张光军被任命为广东省副省长。"  # newstest2019 line 1
ROW = Row(
    "WMT zh-en lines with names",
    "zh",
    (ZHOU, ZHANG),
    (
        "Zhou Guiliang, District Mayor of Tong'an District, Xiamen, attended the meeting.",
        "Zhang Guangjun was appointed as the Vice Governor of Guangdong Province.",
    ),
    names=(("Zhou Guiliang", "Tong'an", "Xiamen"), ("Zhang Guangjun", "Guangdong")),
)
REPLIES = {
    ZHOU: "Zhou Gui Liang, head of Tong’an District in Xiamen, attended the meeting.",
    ZHANG: "Zhang Guangjun was named vice governor of Guangdong.",
}
META = {
    "suite": "names",
    "description": "WMT zh-en news sentences with names",
    "created": "2024-01-01T00:00:00+00:00",
    "profile": "stand-in",
    "model": "none",
    "limit": None,
    "seconds": 1.0,
}


def scored(row: Row, tmp_path: Path) -> RowResult:
    runner = SuiteRunner(Settings(model_cache=tmp_path), StandInEngine(replies=REPLIES), None, RunConfig())
    return asyncio.run(runner.run_row(row))


def report_of(result: RowResult) -> dict[str, Any]:
    return build_report(META, [result], None)


def test_names_are_counted_per_line_and_per_row(tmp_path: Path) -> None:
    result = scored(ROW, tmp_path)
    # "Zhou Gui Liang" splits the given name: not the reference's name. Tong’an is, whatever the apostrophe.
    assert (result.names_found, result.names_total) == (4, 5)
    assert [line.names_missed for line in result.results] == [("Zhou Guiliang",), ()]
    assert result.scores.chrf < 100  # chrF is scored as before, beside the names


def test_a_row_without_names_scores_none(tmp_path: Path) -> None:
    plain = Row("plain", "zh", ROW.sources, ROW.references)
    result = scored(plain, tmp_path)
    assert (result.names_found, result.names_total) == (0, 0)
    report = report_of(result)
    assert report["rows"][0]["names"] is None
    assert "name accuracy" not in markdown(report) and "names found" not in html(report)


def test_the_reports_show_name_accuracy(tmp_path: Path) -> None:
    report = report_of(scored(ROW, tmp_path))
    row = report["rows"][0]
    assert row["names"] == {"found": 4, "total": 5, "accuracy": 80.0}
    assert row["segments"][0]["names_missed"] == ("Zhou Guiliang",)
    assert "| WMT zh-en lines with names | 4/5 | 80.0% |" in markdown(report)
    page = html(report)
    assert "4/5 (80.0%)" in page and "names missed: Zhou Guiliang" in page


def test_compare_gives_the_change_in_name_accuracy(tmp_path: Path) -> None:
    report = report_of(scored(ROW, tmp_path))
    old = {**report, "rows": [{**report["rows"][0], "names": {"found": 3, "total": 5, "accuracy": 60.0}}]}
    assert "bleu +0.00, chrf +0.00, chrf++ +0.00, name accuracy +20.00; checks: unchanged" in compare(
        report, old
    )
    # An earlier report made before names were scored: the scores compared as before, no name delta.
    older = {**report, "rows": [{k: v for k, v in report["rows"][0].items() if k != "names"}]}
    assert "name accuracy" not in compare(report, older)
