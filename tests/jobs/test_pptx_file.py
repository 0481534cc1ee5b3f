"""A .pptx round trip: text frames (grouped shapes too), table cells and notes translated, slide by slide."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.util import Inches

from service.jobs.formats import BadFile, read_items, write_translated


def deck() -> bytes:
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # title only
    slide.shapes.title.text = "新闻发布会"
    box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1))
    paragraph = box.text_frame.paragraphs[0]
    first = paragraph.add_run()
    first.text = "会议在"
    bold = paragraph.add_run()
    bold.text = "厦门"
    bold.font.bold = True
    table = slide.shapes.add_table(1, 2, Inches(1), Inches(3), Inches(4), Inches(1)).table
    table.cell(0, 0).text = "地区"
    table.cell(0, 1).text = "2024"
    slide.notes_slide.notes_text_frame.text = "讲稿。"
    saved = io.BytesIO()
    presentation.save(saved)
    return saved.getvalue()


def test_paragraphs_of_frames_tables_and_notes() -> None:
    [item] = read_items("talk.pptx", deck())
    assert item.text.split("\n") == ["新闻发布会", "会议在厦门", "地区", "2024", "讲稿。"]


def test_round_trip() -> None:
    english = ["Press conference", "Meeting in Xiamen", "Area", "2024", "Script."]
    out = write_translated("talk.pptx", deck(), english)
    assert out is not None
    assert read_items("talk.pptx", out)[0].text.split("\n") == english
    slide = Presentation(io.BytesIO(out)).slides[0]
    assert slide.shapes.title.text == "Press conference"
    assert slide.notes_slide.notes_text_frame.text == "Script."


def test_not_a_presentation_is_a_clear_error() -> None:
    with pytest.raises(BadFile, match=r"not a readable \.pptx"):
        read_items("talk.pptx", b"PK not really")
