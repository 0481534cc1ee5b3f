"""What an instruction model is told around each sentence (pure functions)."""

from __future__ import annotations

from service.models.backend import Source
from service.pipeline.context import (
    TITLE_CHARS,
    PieceContext,
    chains,
    document_title,
    in_context,
    plan_context,
    without_context,
)


def test_each_piece_gets_the_first_line_and_the_piece_before() -> None:
    paragraphs = [1, 2, 2, 3]
    texts = ["厦门召开质量大会。", "区长周桂良出席。", "他指出要抓好落实。", "会议结束。"]
    assert plan_context(paragraphs, texts) == [
        PieceContext("", "", None),  # the first line itself
        PieceContext("", "厦门召开质量大会。", None),  # the line before is the first line: said once
        PieceContext("厦门召开质量大会。", "区长周桂良出席。", 1),  # its English is waited for
        PieceContext("厦门召开质量大会。", "他指出要抓好落实。", None),  # another paragraph: not waited for
    ]


def test_a_long_first_paragraph_gives_its_first_sentence_or_nothing() -> None:
    lead = "甲" * (TITLE_CHARS - 10) + "。"
    assert document_title([1, 1, 2], [lead, "乙" * 20 + "。", "丙。"]) == lead
    assert document_title([1, 1, 2], ["短标题。", "乙。", "丙。"]) == "短标题。乙。"
    assert document_title([1, 2], ["甲" * (TITLE_CHARS + 1), "丙。"]) == ""


def test_a_one_sentence_document_has_no_context() -> None:
    assert plan_context([1], ["只有一句。"]) == [PieceContext("", "", None)]
    assert plan_context([], []) == []


def test_chains_are_paragraphs_in_order() -> None:
    assert chains([1, 1, 2, 3, 3, 3]) == [[0, 1], [2], [3, 4, 5]]


def test_context_is_put_on_and_taken_off_a_source() -> None:
    source = in_context(Source("他说。"), PieceContext("标题。", "前一句。", 0), "The sentence before.")
    assert (source.title, source.previous, source.previous_english) == (
        "标题。",
        "前一句。",
        "The sentence before.",
    )
    assert without_context(source) == Source("他说。")
