"""Word .docx files: each non-empty paragraph of the body is one paragraph (one line of the item text).

The body is walked in document order: paragraphs and tables, a table row by row and cell by cell,
tables nested in cells too; a merged cell, which python-docx gives once per grid position, counts once.
Headers, footers, footnotes, comments, text boxes and blocks wrapped in content controls are not read
and stay as they were (in the source language).

The translated file is the same document with each paragraph's text replaced: paragraph styles, run
formatting (a bold word inside a sentence stays bold, around its English: `docx_runs`), tables,
pictures and section settings are kept.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from service.jobs.docx_runs import rewrite_runs, run_line
from service.jobs.formats import BadFile


def docx_lines(name: str, data: bytes) -> list[str]:
    """The non-empty paragraphs' texts in document order, newlines and tabs collapsed to spaces; runs
    formatted apart from the paragraph's main text as placeholders (`docx_runs`)."""
    paragraphs = _paragraphs(_load(name, data).iter_inner_content(), set())
    lines = (run_line(paragraph._p).encoded for paragraph in paragraphs)
    return [line for line in lines if line]


def write_docx(name: str, data: bytes, english: Sequence[str]) -> bytes:
    """The document with the k-th non-empty paragraph's text replaced by `english[k]`, each
    placeholder's words in runs formatted as its own were."""
    document = _load(name, data)
    translations = iter(english)
    for paragraph in list(_paragraphs(document.iter_inner_content(), set())):
        line = run_line(paragraph._p)
        if line.encoded:
            rewrite_runs(line, next(translations))
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


# What a .docx may unpack to: far above any news document, far below what a zip bomb expands to. Word's
# XML is read by python-docx with entity expansion off and no network (its parser's settings).
MAX_UNPACKED_BYTES = 200_000_000
MAX_PARTS = 10_000


def check_unpacked_size(name: str, data: bytes, kind: str = ".docx") -> None:
    """Refuse a zip whose parts would unpack past the caps, before anything is decompressed (an Office
    file of any `kind`: .docx, .xlsx)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise BadFile(f"{name}: not a readable {kind} (not a zip archive: {error})") from None
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise BadFile(
            f"{name}: refused: it would unpack to {unpacked:,} bytes in {len(parts):,} parts "
            f"(at most {MAX_UNPACKED_BYTES:,} bytes and {MAX_PARTS:,} parts)"
        )


def _load(name: str, data: bytes) -> Document:
    check_unpacked_size(name, data)
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, etree.LxmlError) as error:
        # KeyError: a zip without the parts of a Word document; ValueError: another kind of Office file.
        raise BadFile(f"{name}: not a readable .docx ({type(error).__name__}: {error})") from None


def _paragraphs(blocks: Iterable[Paragraph | Table], seen: set[Any]) -> Iterator[Paragraph]:
    """Every paragraph of `blocks` in document order. `seen` holds the cells (<w:tc> elements) visited
    already: holding them also keeps lxml handing out the same element object for a cell."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block
            continue
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    yield from _paragraphs(cell.iter_inner_content(), seen)
