"""An .xlsx round trip: string cells translated; formulas, numbers, dates and styles untouched."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from service.jobs import docx_file
from service.jobs.formats import BadFile, read_items, write_translated


def workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "统计"
    sheet["A1"] = "地区"
    sheet["A1"].font = Font(bold=True)
    sheet["B1"] = "产值"
    sheet["A2"] = "厦门\n同安区"
    sheet["B2"] = 24.5
    sheet["C2"] = datetime.datetime(2024, 9, 29)
    sheet["D2"] = "=B2*2"
    sheet["E2"] = "   "
    second = book.create_sheet("说明")
    second["A1"] = "数据来源：统计局。"
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()


def test_string_cells_are_the_paragraphs() -> None:
    [item] = read_items("data.xlsx", workbook())
    assert item.text.split("\n") == ["地区", "产值", "厦门 同安区", "数据来源：统计局。"]


def test_round_trip_keeps_everything_but_the_strings() -> None:
    out = write_translated("data.xlsx", workbook(), ["Area", "Output", "Tong'an, Xiamen", "Source: bureau."])
    assert out is not None
    book = load_workbook(io.BytesIO(out))
    sheet = book["统计"]  # sheet names are not translated
    assert [sheet["A1"].value, sheet["B1"].value, sheet["A2"].value] == ["Area", "Output", "Tong'an, Xiamen"]
    assert sheet["A1"].font.bold
    assert sheet["B2"].value == 24.5
    assert sheet["C2"].value == datetime.datetime(2024, 9, 29)
    assert sheet["D2"].value == "=B2*2"
    assert book["说明"]["A1"].value == "Source: bureau."


def test_bombs_and_non_workbooks_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BadFile, match=r"not a readable \.xlsx"):
        read_items("data.xlsx", b"not a zip")
    monkeypatch.setattr(docx_file, "MAX_PARTS", 3)
    with pytest.raises(BadFile, match="refused: it would unpack"):
        read_items("data.xlsx", workbook())
