"""Word .docx files: each non-empty paragraph of the body is one paragraph (one line of the item text).

The body is walked in document order: paragraphs and tables, a table row by row and cell by cell,
tables nested in cells too; a merged cell, which python-docx gives once per grid position, counts once.
Headers, footers, footnotes, comments, text boxes and blocks wrapped in content controls are not read
and stay as they were (in the source language).

The translated file is the same document with each paragraph's text replaced: paragraph styles, run
formatting, tables, pictures and section settings are kept.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from service.jobs.formats import BadFile

# The runs whose text Word shows as the paragraph's: direct ones and those inside hyperlinks, simple
# fields, smart tags, inline content controls and tracked insertions.
_RUNS = (
    "./w:r | ./w:hyperlink/w:r | ./w:fldSimple/w:r | ./w:smartTag/w:r | ./w:customXml/w:r"
    " | ./w:sdt/w:sdtContent/w:r | ./w:ins/w:r"
)
# A run's text content, what python-docx's `CT_R.text` reads; page and column breaks are layout, not text.
_TEXT = "w:t | w:tab | w:ptab | w:cr | w:noBreakHyphen | w:br[not(@w:type) or @w:type='textWrapping']"


def docx_lines(name: str, data: bytes) -> list[str]:
    """The non-empty paragraphs' texts in document order, newlines and tabs collapsed to spaces."""
    lines = (_line(paragraph) for paragraph in _paragraphs(_load(name, data).iter_inner_content(), set()))
    return [line for line in lines if line]


def write_docx(name: str, data: bytes, english: Sequence[str]) -> bytes:
    """The document with the k-th non-empty paragraph's text replaced by `english[k]`."""
    document = _load(name, data)
    translations = iter(english)
    for paragraph in list(_paragraphs(document.iter_inner_content(), set())):
        if _line(paragraph):
            _replace_text(_runs(paragraph), next(translations))
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


# What a .docx may unpack to: far above any news document, far below what a zip bomb expands to. Word's
# XML is read by python-docx with entity expansion off and no network (its parser's settings).
MAX_UNPACKED_BYTES = 200_000_000
MAX_PARTS = 10_000


def _check_unpacked_size(name: str, data: bytes) -> None:
    """Refuse a zip whose parts would unpack past the caps, before anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile as error:
        raise BadFile(f"{name}: not a readable .docx (not a zip archive: {error})") from None
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise BadFile(
            f"{name}: refused: it would unpack to {unpacked:,} bytes in {len(parts):,} parts "
            f"(at most {MAX_UNPACKED_BYTES:,} bytes and {MAX_PARTS:,} parts)"
        )


def _load(name: str, data: bytes) -> Document:
    _check_unpacked_size(name, data)
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


def _runs(paragraph: Paragraph) -> list[Any]:
    return list(paragraph._p.xpath(_RUNS))


def _line(paragraph: Paragraph) -> str:
    return " ".join("".join(run.text for run in _runs(paragraph)).split())


def _replace_text(runs: Sequence[Any], english: str) -> None:
    """The first run with visible text takes all of `english`, where its own text was, keeping its
    formatting; the other runs lose only their text, keeping formatting, pictures and page breaks."""
    first = next(run for run in runs if run.text.strip())
    for run in runs:
        parts = run.xpath(_TEXT)
        if run is first:
            text = OxmlElement("w:t", attrs={qn("xml:space"): "preserve"})
            text.text = english
            parts[0].addprevious(text)
        for part in parts:
            run.remove(part)
