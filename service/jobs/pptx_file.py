"""PowerPoint .pptx files (python-pptx): each paragraph with text in the slides' text frames (shapes in
groups too), table cells and speaker notes is one paragraph, slide by slide. The English goes into the
paragraph's first run with text, keeping its formatting; the other runs are emptied, keeping theirs
(unlike .docx, formatting inside a sentence is not carried over yet). Layouts, masters, pictures,
charts and slide notes' layout are untouched. The zip is checked against the .docx caps first.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from service.jobs.docx_file import check_unpacked_size
from service.jobs.formats import BadFile


def _load(name: str, data: bytes) -> Any:
    check_unpacked_size(name, data, ".pptx")
    from pptx import Presentation  # imported here: loaded only when a presentation comes
    from pptx.exc import PackageNotFoundError

    try:
        return Presentation(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as error:
        raise BadFile(f"{name}: not a readable .pptx ({type(error).__name__}: {error})") from None


def _frames(shapes: Iterable[Any]) -> Iterator[Any]:
    for shape in shapes:
        if getattr(shape, "shape_type", None) is not None and hasattr(shape, "shapes"):
            yield from _frames(shape.shapes)  # a group
        if getattr(shape, "has_text_frame", False):
            yield shape.text_frame
        if getattr(shape, "has_table", False):
            for row in shape.table.rows:
                for cell in row.cells:
                    if not cell.is_spanned:
                        yield cell.text_frame


def _paragraphs(presentation: Any) -> Iterator[Any]:
    for slide in presentation.slides:
        for frame in _frames(slide.shapes):
            yield from frame.paragraphs
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            yield from slide.notes_slide.notes_text_frame.paragraphs


def _line(paragraph: Any) -> str:
    return " ".join("".join(run.text for run in paragraph.runs).split())


def pptx_lines(name: str, data: bytes) -> list[str]:
    return [line for paragraph in _paragraphs(_load(name, data)) if (line := _line(paragraph))]


def write_pptx(name: str, data: bytes, english: Sequence[str]) -> bytes:
    presentation = _load(name, data)
    translations = iter(english)
    for paragraph in list(_paragraphs(presentation)):
        if not _line(paragraph):
            continue
        runs = [run for run in paragraph.runs if run.text]
        runs[0].text = next(translations)
        for run in runs[1:]:
            run.text = ""
    saved = io.BytesIO()
    presentation.save(saved)
    return saved.getvalue()
