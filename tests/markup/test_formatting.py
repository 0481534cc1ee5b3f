from __future__ import annotations

from service.markup.formatting import as_formatted
from service.pipeline.prepare import prepare_document


def test_no_full_stop_the_source_did_not_have() -> None:
    assert as_formatted("标题", "The title.") == "The title"
    assert as_formatted("<g1>标题</g1>", "<g1>The title.</g1>") == "<g1>The title</g1>"
    assert as_formatted("会议召开。", "The meeting opened.") == "The meeting opened."


def test_a_lower_case_start_stays_lower_case() -> None:
    assert as_formatted("iPhone 发布。", "IPhone released.") == "iPhone released."
    assert as_formatted("<g1>iPad</g1> 发布。", "<g1>IPad</g1> released.") == "<g1>iPad</g1> released."
    assert as_formatted("发布。", "Released.") == "Released."


def test_split_sentences_off_makes_each_paragraph_one_segment() -> None:
    def count(text: str) -> int:
        return len(text)

    prepared = prepare_document(
        "第一句。第二句！\n第二段。",
        simplify=False,
        count_tokens=count,
        token_budget=500,
        split_sentences=False,
    )
    assert [segment.normalized for segment in prepared.segments] == ["第一句。第二句！", "第二段。"]
