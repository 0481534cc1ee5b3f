from __future__ import annotations

import pytest

from service.text.segment import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("高技术产业增加值同比增长24.5%。好。", ["高技术产业增加值同比增长24.5%。", "好。"]),
        ("同安区“4+4+1”产业布局取得进展。", ["同安区“4+4+1”产业布局取得进展。"]),
        ("他说：“我们来了。”然后走了。", ["他说：“我们来了。”", "然后走了。"]),
        ("（见图。详见附件。）下一句。", ["（见图。详见附件。）下一句。"]),
        ("好！真的？嗯……对；是的", ["好！", "真的？", "嗯……", "对；", "是的"]),
        ("《关于进一步优化营商环境的意见。》发布。", ["《关于进一步优化营商环境的意见。》发布。"]),
        ("これは日本語です。次の文です！", ["これは日本語です。", "次の文です！"]),
        ("没有句号的段落", ["没有句号的段落"]),
    ],
)
def test_chinese_and_japanese_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith went to the U.S. today. He paid 24.5 dollars!",
            ["Mr. Smith went to the U.S. today.", "He paid 24.5 dollars!"],
        ),
        ("J. Smith arrived. Did he? Yes.", ["J. Smith arrived.", "Did he?", "Yes."]),
        ('He said "Stop. Now." and left. Then rain.', ['He said "Stop. Now." and left.', "Then rain."]),
        ("Version 4.5.1 shipped (see No. 3). Done", ["Version 4.5.1 shipped (see No. 3).", "Done"]),
    ],
)
def test_latin_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "。。。", "a. b. c.", "他说：“未闭合的引号。然后。", "）多余的括号。下一句。", "…" * 5],
)
def test_spans_cover_every_visible_character(text: str) -> None:
    spans = sentence_spans(text)
    covered = "".join(text[start:end] for start, end in spans)
    assert "".join(covered.split()) == "".join(text.split())
    assert all(start < end for start, end in spans)
