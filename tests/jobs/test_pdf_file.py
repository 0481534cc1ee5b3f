"""PDF in, .docx out: reading order over two columns, paragraphs rebuilt, running heads and page numbers
dropped, tables kept; scans, damaged files and oversized ones refused as the item's error."""

from __future__ import annotations

import contextlib
import difflib
import io
import random
from collections import OrderedDict

import docx
import pypdfium2 as pdfium
import pytest

from service.jobs import pdf_file
from service.jobs.formats import BadFile, read_items, write_translated
from service.jobs.pdf_file import pdf_lines
from tests.jobs.pdf_samples import (
    FOOT,
    HEAD,
    LATIN_PARAGRAPHS,
    TABLE,
    TITLE,
    body_paragraphs,
    latin_columns,
    scanned_page,
    titled_report,
    two_column_report,
)

PARAGRAPHS = body_paragraphs()


@pytest.fixture(scope="module")
def report() -> bytes:
    return two_column_report(PARAGRAPHS, table=True)


def test_the_sample_is_what_the_test_says(report: bytes) -> None:
    document = pdfium.PdfDocument(report)
    assert len(document) >= 2
    first = document[0].get_textpage().get_text_range()
    assert HEAD in first and "\n1" in first.replace("\r", "")  # the head and the page number are there


def test_two_columns_read_back_in_order_without_head_and_page_numbers(report: bytes) -> None:
    lines = pdf_lines("report.pdf", report)
    cells = [cell for row in TABLE for cell in row]
    body = [line for line in lines if line not in cells]
    ratio = difflib.SequenceMatcher(None, "".join(PARAGRAPHS), "".join(body), autojunk=False).ratio()
    assert ratio >= 0.98, ratio
    assert sum(paragraph in body for paragraph in PARAGRAPHS) >= 0.9 * len(PARAGRAPHS)
    assert not any(HEAD.replace(" ", "") in line.replace(" ", "") for line in lines)
    assert not any(line.strip().isdigit() for line in lines)


def test_tables_stay_tables_in_the_docx(report: bytes) -> None:
    lines = pdf_lines("report.pdf", report)
    assert [cell for row in TABLE for cell in row] == [line for line in lines if len(line) < 8]
    english = [f"EN{k}" for k in range(len(lines))]
    out = write_translated("report.pdf", report, english)
    assert out is not None
    document = docx.Document(io.BytesIO(out))
    [table] = document.tables
    assert len(table.rows) == len(TABLE) and all(cell.text.startswith("EN") for cell in table._cells)
    texts = [p.text for p in document.paragraphs] + [c.text for c in table._cells]
    assert sorted(texts) == sorted(english)


def test_the_item_is_the_pdfs_text(report: bytes) -> None:
    [item] = read_items("report.pdf", report)
    assert item.file == "report.pdf" and item.text.split("\n") == pdf_lines("report.pdf", report)


def test_a_scan_without_a_text_layer_is_a_clear_error() -> None:
    with pytest.raises(BadFile, match="no text layer"):
        read_items("scan.pdf", scanned_page())


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n garbage", b"not a pdf at all"])
def test_a_damaged_file_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(BadFile, match="not a readable PDF"):
        read_items("broken.pdf", data)


def test_a_truncated_file_is_read_as_far_as_it_goes_or_refused(report: bytes) -> None:
    for cut in (len(report) // 3, len(report) // 2, len(report) - 100):
        try:
            read_items("cut.pdf", report[:cut])
        except BadFile as error:
            assert "cut.pdf" in str(error)


def test_limits_are_checked_before_the_pages_are_read(report: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    def not_read(*args: object) -> None:
        raise AssertionError("read a refused file")

    monkeypatch.setattr(pdf_file, "_READ", OrderedDict())  # nothing read already
    monkeypatch.setattr(pdf_file, "_tables", not_read)
    monkeypatch.setattr(pdf_file, "MAX_CHARS_PER_PAGE", 100)
    with pytest.raises(BadFile, match="page 1 holds"):
        read_items("dense.pdf", report)
    monkeypatch.setattr(pdf_file, "_page_chars", not_read)
    monkeypatch.setattr(pdf_file, "MAX_PDF_PAGES", 1)
    with pytest.raises(BadFile, match="pages"):
        read_items("long.pdf", report)
    monkeypatch.setattr(pdf_file, "MAX_PDF_BYTES", 1000)
    with pytest.raises(BadFile, match="bytes"):
        read_items("big.pdf", report)


def test_latin_columns_hyphenation_and_page_feet() -> None:
    assert pdf_lines("council.pdf", latin_columns()) == LATIN_PARAGRAPHS


def test_damaged_copies_are_read_or_refused_never_anything_else(report: bytes) -> None:
    chance = random.Random(27)
    for _ in range(25):
        damaged = bytearray(report)
        for _ in range(chance.randint(1, 40)):
            damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        cut = damaged[: chance.randrange(len(damaged) // 2, len(damaged) + 1)]
        with contextlib.suppress(BadFile):
            read_items("damaged.pdf", bytes(cut))


def test_a_download_reads_its_pdf_once(report: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_file, "_READ", OrderedDict())
    reads = []
    original = pdf_file._read
    monkeypatch.setattr(pdf_file, "_read", lambda name, data: reads.append(name) or original(name, data))
    [item] = read_items("report.pdf", report)
    write_translated("report.pdf", report, item.text.split("\n"))
    assert reads == ["report.pdf"]


def test_a_title_across_the_columns_comes_first_and_the_office_foot_goes() -> None:
    paragraphs = body_paragraphs(24)
    lines = pdf_lines("notice.pdf", titled_report(paragraphs))
    assert lines[0] == TITLE
    ratio = difflib.SequenceMatcher(None, "".join(paragraphs), "".join(lines[1:]), autojunk=False).ratio()
    assert ratio >= 0.98, ratio
    assert not any(FOOT in line or "页" in line for line in lines)
    out = write_translated("notice.pdf", titled_report(paragraphs), lines)
    assert out is not None
    first = docx.Document(io.BytesIO(out)).paragraphs[0]
    assert first.text == TITLE and first.style is not None and first.style.name == "Heading 2"
