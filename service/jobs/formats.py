"""Uploaded files as batch items, and back: each file translated in its own format.

A document's paragraphs are the non-empty lines of its text (`service.text.normalize.split_paragraphs`),
so every reader here makes exactly one line per paragraph of the file, and `write_translated` receives
the English of those lines, in the same order, and puts each where its source came from.
.html is read in `service.jobs.html_file`, .docx in `service.jobs.docx_file`, .md in
`service.markup.markdown`, .srt and .vtt in `service.jobs.subtitles`, .xliff in `service.jobs.xliff_file`,
.xlsx in `service.jobs.xlsx_file`, .pptx in `service.jobs.pptx_file`, .pdf in `service.jobs.pdf_file`
(whose translation is a .docx: `translated_name`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Literal

from service.jobs.records import ItemInput
from service.text.normalize import split_paragraphs, unicode_normalize, xml_safe

FileKind = Literal["txt", "md", "jsonl", "html", "docx", "srt", "vtt", "xliff", "xlsx", "pptx", "pdf"]
SUFFIXES: dict[str, FileKind] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".srt": "srt",
    ".vtt": "vtt",
    ".xliff": "xliff",
    ".xlf": "xliff",
    ".xlsx": "xlsx",
    ".pptx": "pptx",
    ".pdf": "pdf",
}


class UnsupportedFile(ValueError):
    """A file type (by suffix) that is not read here: the HTTP layer answers 415."""


class BadFile(ValueError):
    """A supported file type whose content cannot be read: the HTTP layer answers 422."""


def kind_of(name: str) -> FileKind:
    """The file's kind by its suffix, in any case; `UnsupportedFile` names the supported suffixes."""
    lowered = name.lower()
    for suffix, kind in SUFFIXES.items():
        if lowered.endswith(suffix):
            return kind
    supported = ", ".join(sorted(SUFFIXES))
    raise UnsupportedFile(f"{name!r}: unsupported file type; supported: {supported}")


def translated_name(name: str) -> str:
    """The name a file's translation goes by: its own, but a PDF comes back as a Word file
    (`report.pdf` as `report.docx`): its English does not fit the PDF's fixed layout."""
    if name.lower().endswith(".pdf"):  # by suffix, as `kind_of`; any other name (even unsupported) as it is
        return str(PurePath(name).with_suffix(".docx"))
    return name


def translated_kind(name: str) -> FileKind:
    """The kind of the file `translated_name` names."""
    return kind_of(translated_name(name))


def paragraph_count(text: str) -> int:
    """The number of paragraphs the pipeline makes of `text`: its non-empty (after strip) lines."""
    return len(split_paragraphs(unicode_normalize(text)))


def read_items(name: str, data: bytes) -> list[ItemInput]:
    """One item per .jsonl line that holds something; one item for a file of any other kind."""
    kind = kind_of(name)
    if kind == "jsonl":
        return [
            _jsonl_item(name, number, line)
            for number, line in enumerate(decode(name, data).split("\n"), start=1)
            if line.strip()
        ]
    return [ItemInput(id=name, text=_item_text(kind, name, data), file=name)]


def write_translated(name: str, data: bytes, paragraphs: Sequence[str]) -> bytes | None:
    """The file `data` with each paragraph of its item text replaced by `paragraphs[k]`; None for .jsonl,
    whose items are separate documents with no file to rebuild."""
    kind = kind_of(name)
    if kind == "jsonl":
        return None
    expected = paragraph_count(_item_text(kind, name, data))
    if len(paragraphs) != expected:
        raise ValueError(f"{name}: {len(paragraphs)} translations for {expected} paragraphs")
    english = [_one_line(paragraph) for paragraph in paragraphs]
    if kind == "txt":
        return _write_txt(name, data, english)
    if kind == "md":
        return _write_markdown(name, data, english)
    if kind in ("srt", "vtt"):
        return _write_subtitles(kind, name, data, english)
    if kind == "xliff":
        from service.jobs.xliff_file import write_xliff

        return write_xliff(name, data, english)
    if kind == "xlsx":
        from service.jobs.xlsx_file import write_xlsx

        return write_xlsx(name, data, english)
    if kind == "pptx":
        from service.jobs.pptx_file import write_pptx

        return write_pptx(name, data, english)
    if kind == "pdf":
        from service.jobs.pdf_file import write_pdf

        return write_pdf(name, data, english)
    # Imported here: lxml and python-docx load only when such a file comes, and both modules take
    # `BadFile` from this one.
    if kind == "html":
        from service.jobs.html_file import write_html

        return write_html(name, data, english)
    from service.jobs.docx_file import write_docx

    return write_docx(name, data, english)


def decode(name: str, data: bytes) -> str:
    """UTF-8 text without a byte-order mark, lines ending in "\\n" as the pipeline splits them."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadFile(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _one_line(english: str) -> str:
    """A translation as one line: a line break inside it would add a paragraph to a line-based file."""
    return xml_safe(" ".join(english.split()))


def _item_text(kind: FileKind, name: str, data: bytes) -> str:
    if kind == "md":
        from service.markup.markdown import markdown_lines

        return "\n".join(markdown_lines(decode(name, data)))
    if kind == "html":
        from service.jobs.html_file import html_lines

        return "\n".join(html_lines(name, data))
    if kind == "docx":
        from service.jobs.docx_file import docx_lines

        return "\n".join(docx_lines(name, data))
    if kind == "pptx":
        from service.jobs.pptx_file import pptx_lines

        return "\n".join(pptx_lines(name, data))
    if kind == "pdf":
        from service.jobs.pdf_file import pdf_lines

        return "\n".join(pdf_lines(name, data))
    if kind == "xlsx":
        from service.jobs.xlsx_file import xlsx_lines

        return "\n".join(xlsx_lines(name, data))
    if kind == "xliff":
        from service.jobs.xliff_file import xliff_lines

        return "\n".join(xliff_lines(name, data))
    if kind in ("srt", "vtt"):
        from service.jobs.subtitles import SubtitleError, subtitle_lines

        try:
            return "\n".join(subtitle_lines(decode(name, data).split("\n"), vtt=kind == "vtt"))
        except SubtitleError as error:
            raise BadFile(f"{name}: {error}") from None
    return decode(name, data)


def _jsonl_item(name: str, number: int, line: str) -> ItemInput:
    where = f"{name} line {number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadFile(f"{where}: not JSON ({error.msg})") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise BadFile(f'{where}: expected a JSON object with a string "text"')
    given = record.get("id")
    if given is None:
        return ItemInput(id=f"{name}:{number}", text=record["text"], file=name)
    # bool is an int to Python, but `true` is no one's id.
    if isinstance(given, bool) or not isinstance(given, (str, int, float)):
        raise BadFile(f'{where}: "id" must be a string or a number')
    return ItemInput(id=str(given), text=record["text"], file=name)


def _write_txt(name: str, data: bytes, english: Sequence[str]) -> bytes:
    translations = iter(english)
    lines = [next(translations) if line.strip() else line for line in decode(name, data).split("\n")]
    newline = "\r\n" if b"\r\n" in data else "\n"  # the upload's own line endings
    return newline.join(lines).encode("utf-8")


def _write_subtitles(kind: FileKind, name: str, data: bytes, english: Sequence[str]) -> bytes:
    from service.jobs.subtitles import write_subtitles

    lines = write_subtitles(decode(name, data).split("\n"), kind == "vtt", english)
    newline = "\r\n" if b"\r\n" in data else "\n"
    return newline.join(lines).encode("utf-8")


def _write_markdown(name: str, data: bytes, english: Sequence[str]) -> bytes:
    from service.markup.markdown import write_markdown

    newline = "\r\n" if b"\r\n" in data else "\n"  # the upload's own line endings
    return write_markdown(decode(name, data), english).replace("\n", newline).encode("utf-8")
