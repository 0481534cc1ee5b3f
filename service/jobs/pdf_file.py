"""PDF files in, Word files out: a PDF's text in reading order as paragraphs and tables, its English
written as a new .docx (`NAME.pdf` comes back as `NAME.docx`: a PDF's layout cannot take text of
another length back in place).

Characters and their boxes are read with PDFium (pypdfium2, Apache-2.0/BSD: the parser of Chrome, fast
and robust against damaged files), size and pages checked before any page is read, characters per page
before a page's are taken; a file without any text (a scan: text recognition is not done here) is the
item's error, not an empty translation. Tables drawn with ruling lines are found by pdfplumber (MIT, on
pdfminer.six), on the pages that draw lines only: laying a page out in pdfminer costs about a second. The
layout (columns, paragraphs, running heads) is `pdf_layout`'s.
"""

from __future__ import annotations

import hashlib
import io
import statistics
import threading
from collections import OrderedDict
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


# The last few PDFs read, by their bytes' digest: a download reads its upload three times over (its
# paragraphs counted, its item text, its blocks written), and a table search costs a second a page.
# The blocks are never changed once read.
_READ: OrderedDict[str, list[Block]] = OrderedDict()
_READ_LOCK = threading.Lock()
_KEPT = 4


def read_pdf(name: str, data: bytes) -> list[Block]:
    """The PDF's paragraphs and tables in reading order; BadFile for a file refused or unreadable."""
    digest = hashlib.sha256(data).hexdigest()
    with _READ_LOCK:
        if digest in _READ:
            _READ.move_to_end(digest)
            return _READ[digest]
    blocks = _read(name, data)
    with _READ_LOCK:
        _READ[digest] = blocks
        while len(_READ) > _KEPT:
            _READ.popitem(last=False)
    return blocks


def _read(name: str, data: bytes) -> list[Block]:
    pages, heights, ruled = _characters(name, data)
    tables = _tables(name, data, ruled)
    lines = drop_running(
        [
            lines_of([c for c in chars if not any(_inside(c, t) for t in tables.get(number, []))], number)
            for number, chars in enumerate(pages)
        ],
        heights,
    )
    items: list[Item] = []
    for number, kept in enumerate(lines):
        page: list[Item] = [*kept, *tables.get(number, [])]
        if page:
            items += reading_order(page, _em(kept))
    blocks = paragraphs(items)
    if not blocks:
        raise BadFile(f"{name}: the PDF has no text to translate besides its page headers and numbers")
    return blocks


def _characters(name: str, data: bytes) -> tuple[list[list[Char]], list[float], list[int]]:
    """Each page's characters (PDFium: fast, and robust against damaged files), the pages' heights, and
    the pages with enough drawn paths to hold a ruled table. Limits are checked before anything is read."""
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
        pages, heights, ruled = [], [], []
        for number in range(len(document)):
            page = document[number]
            pages.append(_page_chars(name, page, number))
            heights.append(float(page.get_height()))
            if sum(1 for _ in page.get_objects(filter=[_PATH], max_depth=2)) >= _RULES:
                ruled.append(number)
    except pdfium.PdfiumError as error:
        raise BadFile(f"{name}: not a readable PDF ({error})") from None
    finally:
        document.close()
    if not any(pages):
        raise BadFile(
            f"{name}: the PDF has no text layer (a scanned document?); text in images is not "
            "recognised here: a PDF with its text, or the text itself, can be translated"
        )
    return pages, heights, ruled


_PATH = 2  # FPDF_PAGEOBJ_PATH: lines and rectangles
_RULES = 4  # drawn paths on a page before its tables are looked for (a grid needs several)


def _page_chars(name: str, page: Any, number: int) -> list[Char]:
    """The page's characters with their boxes, y downwards from the page's top. A character's size is
    its box's height (the font size a PDF states can be 1, the text scaled by its matrix)."""
    import pypdfium2.raw as pdfium_c

    text = page.get_textpage()
    count = text.count_chars()
    if count > MAX_CHARS_PER_PAGE:
        raise BadFile(
            f"{name}: refused: page {number + 1} holds {count:,} characters (at most {MAX_CHARS_PER_PAGE:,} a page)"
        )
    height = float(page.get_height())
    chars = []
    for index in range(count):
        character = chr(pdfium_c.FPDFText_GetUnicode(text, index) or 32)
        character = "-" if character == "\x02" else character  # PDFium's mark for a hyphen ending a line
        if character in "\r\n" or pdfium_c.FPDFText_IsGenerated(text, index) == 1:
            continue  # PDFium's own line ends and spaces: the layout finds its own
        left, bottom, right, top = text.get_charbox(index, loose=True)
        if character.isspace() and right <= left:
            continue  # a space the PDF writes keeps words apart where type is tight; one without width not
        chars.append(Char(character, left, height - top, right, height - bottom, max(top - bottom, 1.0)))
    return chars


def _tables(name: str, data: bytes, numbers: Sequence[int]) -> dict[int, list[Table]]:
    """The ruled tables pdfplumber finds on the pages `numbers` (only those: it is the slow part)."""
    if not numbers:
        return {}
    import pdfplumber  # imported here: loaded only when a PDF with drawn lines comes

    found: dict[int, list[Table]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in numbers:
                for table in pdf.pages[number].find_tables():
                    rows = [[_cell(cell) for cell in row] for row in table.extract()]
                    if any(cell for row in rows for cell in row):
                        x0, top, x1, bottom = table.bbox
                        found.setdefault(number, []).append(Table(rows, x0, top, x1, bottom, number))
    except Exception as error:  # pdfminer raises many kinds (and plain TypeError, KeyError) on a damaged file
        raise BadFile(f"{name}: not a readable PDF ({type(error).__name__}: {error})") from None
    return found


def _inside(char: Char, table: Table) -> bool:
    middle_x, middle_y = (char.x0 + char.x1) / 2, (char.top + char.bottom) / 2
    return table.x0 <= middle_x <= table.x1 and table.top <= middle_y <= table.bottom


def _cell(text: str | None) -> str:
    joined = ""
    for line in (text or "").split("\n"):
        if line.strip():
            joined = join_lines(joined, line.strip()) if joined else line.strip()
    return joined


def _em(lines: Sequence[Line]) -> float:
    """The page's usual character size: the narrowest white band that makes columns."""
    return statistics.median(line.size for line in lines) if lines else 10.0
