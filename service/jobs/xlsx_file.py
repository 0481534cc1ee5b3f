"""Excel .xlsx files (openpyxl): each cell holding text is one paragraph, sheet by sheet, row by row.
Formulas, numbers, dates, booleans and empty cells are never read as text and stay as they are; so do
styles, merged cells, column widths and sheet names. A cell's line breaks become spaces. The zip is
checked against the same caps as a .docx before anything is unpacked.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from service.jobs.docx_file import check_unpacked_size
from service.jobs.formats import BadFile


def _load(name: str, data: bytes) -> Any:
    check_unpacked_size(name, data, ".xlsx")
    from openpyxl import load_workbook  # imported here: loaded only when a workbook comes

    try:
        return load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as error:
        raise BadFile(f"{name}: not a readable .xlsx ({type(error).__name__}: {error})") from None


def _text_cells(workbook: Any) -> Iterator[Any]:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # data_type "s": a string; "f" (formula), "n", "d", "b" stay untouched.
                if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.strip():
                    yield cell


def xlsx_lines(name: str, data: bytes) -> list[str]:
    return [" ".join(cell.value.split()) for cell in _text_cells(_load(name, data))]


def write_xlsx(name: str, data: bytes, english: Sequence[str]) -> bytes:
    workbook = _load(name, data)
    for cell, translation in zip(list(_text_cells(workbook)), english, strict=True):
        cell.value = translation
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()
