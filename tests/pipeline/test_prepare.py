from __future__ import annotations

import pytest

from service.pipeline.prepare import cleaned_text, prepare_document
from service.pipeline.types import EmptyDocument


def chars(text: str) -> int:
    return len(text)


def test_segments_keep_source_and_normalized_side_by_side() -> None:
    document = prepare_document(
        "質(zhì)量強區。第二句!\n\n第二段", simplify=True, count_tokens=chars, token_budget=100
    )
    assert [(s.id, s.paragraph) for s in document.segments] == [("p1.s1", 1), ("p1.s2", 1), ("p2.s1", 2)]
    assert document.segments[0].source == "質(zhì)量強區。"
    assert document.segments[0].normalized == "质量强区。"
    assert document.segments[1].normalized == "第二句！"
    assert document.annotations_removed == 1
    assert document.paragraphs == 2


def test_no_simplification_for_models_that_want_traditional() -> None:
    document = prepare_document("質量強區。", simplify=False, count_tokens=chars, token_budget=100)
    assert document.segments[0].normalized == "質量強區。"


def test_long_sentences_become_pieces_of_one_segment() -> None:
    sentence = "，".join(["质量强区"] * 10) + "。"
    document = prepare_document(sentence, simplify=True, count_tokens=chars, token_budget=12)
    (segment,) = document.segments
    assert "".join(segment.pieces) == segment.normalized == sentence
    assert len(segment.pieces) > 1


def test_whitespace_only_text_is_empty() -> None:
    with pytest.raises(EmptyDocument):
        prepare_document(" \n\t\n", simplify=True, count_tokens=chars, token_budget=10)


def test_cleaned_text_drops_annotations_for_detection() -> None:
    assert cleaned_text("質(zhì)量\n\n強(qiáng)") == "質量\n強"


def test_cleaning_can_be_skipped_to_measure_it() -> None:
    document = prepare_document(
        "質(zhì)量強區,再創佳績。", simplify=True, count_tokens=chars, token_budget=100, clean_input=False
    )
    assert [s.normalized for s in document.segments] == ["质(zhì)量强区,再创佳绩。"]
    assert document.annotations_removed == 0
