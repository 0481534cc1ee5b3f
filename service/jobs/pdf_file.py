"""PDF files in, Word files out: a PDF's text in reading order as paragraphs and tables, its English
written as a new .docx (`NAME.pdf` comes back as `NAME.docx`: a PDF's layout cannot take text of
another length back in place).

Read with pdfplumber (MIT, on pdfminer.six) for characters with their boxes and for tables drawn with
ruling lines; the layout (columns, paragraphs, running heads) is `pdf_layout`'s. Before any of that,
PDFium (pypdfium2, Apache-2.0/BSD, the parser of Chrome) checks the file cheaply and robustly: size,
pages, characters per page, a password, and whether there is a text layer at all (a scan has none, and
text recognition is not done here: that is the item's error, not an empty translation).
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator, Sequence
from typing import Any

from service.jobs.formats import BadFile
from service.jobs.pdf_layout import (
    Block,
    Char,
    Item,
    Line,
    Paragraph,
    Table,
    drop_running,
    join_lines,
    lines_of,
    paragraphs,
    reading_order,
)

# Far above a news document or a government report, far below what takes minutes to lay out.
MAX_PDF_BYTES = 50_000_000
MAX_PDF_PAGES = 300
MAX_CHARS_PER_PAGE = 50_000


def pdf_lines(name: str, data: bytes) -> list[str]:
    """The paragraphs' texts, then each non-empty cell of a table, in reading order."""
    return [line for block in read_pdf(name, data) for line in _block_lines(block)]


def write_pdf(name: str, data: bytes, english: Sequence[str]) -> bytes:
    """A .docx of the PDF's blocks, each line of `pdf_lines` replaced by `english[k]`; a paragraph set
    larger than the body text is a heading."""
    import docx  # imported here: loaded only when such a file comes

    blocks = read_pdf(name, data)
    body = _body_size(blocks)
    document = docx.Document()
    translations = iter(english)
    for block in blocks:
        if isinstance(block, Paragraph):
            style = "Heading 2" if block.size >= 1.25 * body else None
            document.add_paragraph(next(translations), style=style)
            continue
        width = max(len(row) for row in block.rows)
        table = document.add_table(rows=len(block.rows), cols=width)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, block.rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                if text.strip():
                    cell.text = next(translations)
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


def _block_lines(block: Block) -> Iterator[str]:
    if isinstance(block, Paragraph):
        yield block.text
    else:
        yield from (cell for row in block.rows for cell in row if cell.strip())


def _body_size(blocks: Sequence[Block]) -> float:
    sizes = [b.size for b in blocks if isinstance(b, Paragraph) for _ in range(len(b.text))]
    return statistics.median(sizes) if sizes else 0.0


def read_pdf(name: str, data: bytes) -> list[Block]:
    """The PDF's paragraphs and tables in reading order; BadFile for a file refused or unreadable."""
    check_pdf(name, data)
    import pdfplumber  # imported here: loaded only when a PDF comes

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_items(page, number) for number, page in enumerate(pdf.pages)]
            heights = [float(page.height) for page in pdf.pages]
    except Exception as error:  # pdfminer raises many kinds (and plain TypeError, KeyError) on a damaged file
        raise BadFile(f"{name}: not a readable PDF ({type(error).__name__}: {error})") from None
    lines = drop_running([[i for i in items if isinstance(i, Line)] for items in pages], heights)
    items: list[Item] = []
    for kept, page_items in zip(lines, pages, strict=True):
        tables = [i for i in page_items if isinstance(i, Table)]
        page: list[Item] = [*kept, *tables]
        if page:
            items += reading_order(page, _em(kept))
    blocks = paragraphs(items)
    if not blocks:
        raise BadFile(f"{name}: the PDF has no text to translate besides its page headers and numbers")
    return blocks


def check_pdf(name: str, data: bytes) -> None:
    """Size, pages, characters and a text layer, checked with PDFium before the file is laid out."""
    if len(data) > MAX_PDF_BYTES:
        raise BadFile(f"{name}: refused: {len(data):,} bytes (at most {MAX_PDF_BYTES:,} for a PDF)")
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise BadFile(f"{name}: not a readable PDF ({error})") from None
    try:
        if len(document) > MAX_PDF_PAGES:
            raise BadFile(f"{name}: refused: {len(document):,} pages (at most {MAX_PDF_PAGES:,})")
        total = 0
        for number in range(len(document)):
            count = document[number].get_textpage().count_chars()
            if count > MAX_CHARS_PER_PAGE:
                raise BadFile(
                    f"{name}: refused: page {number + 1} holds {count:,} characters "
                    f"(at most {MAX_CHARS_PER_PAGE:,} a page)"
                )
            total += count
    except pdfium.PdfiumError as error:
        raise BadFile(f"{name}: not a readable PDF ({error})") from None
    finally:
        document.close()
    if total == 0:
        raise BadFile(
            f"{name}: the PDF has no text layer (a scanned document?); text in images is not "
            "recognised here: a PDF with its text, or the text itself, can be translated"
        )


def _page_items(page: Any, number: int) -> list[Item]:
    """The page's lines outside its tables, and its tables (cells' lines joined as one paragraph)."""
    page = page.dedupe_chars()
    found = page.find_tables()
    boxes = [table.bbox for table in found]
    chars = [
        Char(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], float(c.get("size") or 0.0))
        for c in page.chars
        if c["text"].strip() and not any(_inside(c, box) for box in boxes)
    ]
    items: list[Item] = list(lines_of(chars, number))
    for table in found:
        rows = [[_cell(cell) for cell in row] for row in table.extract()]
        if any(cell for row in rows for cell in row):
            x0, top, x1, bottom = table.bbox
            items.append(Table(rows, x0, top, x1, bottom, number))
    return items


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom


def _cell(text: str | None) -> str:
    joined = ""
    for line in (text or "").split("\n"):
        if line.strip():
            joined = join_lines(joined, line.strip()) if joined else line.strip()
    return joined


def _em(lines: Sequence[Line]) -> float:
    """The page's usual character size: the narrowest white band that makes columns."""
    return statistics.median(line.size for line in lines) if lines else 10.0
