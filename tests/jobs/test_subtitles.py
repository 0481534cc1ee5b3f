"""Subtitles: cue numbers, timings, headers, notes and styles byte for byte; a sentence across cues is
one paragraph for the model, spread back over its cues; malformed files are the item's clear error."""

from __future__ import annotations

import pytest

from service.jobs.formats import BadFile, read_items, write_translated

SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\n会议在厦门\r\n\r\n"
    "2\r\n00:00:03,500 --> 00:00:05,000\r\n召开。\r\n\r\n"
    "3\r\n00:00:05,200 --> 00:00:07,000\r\n<i>市长</i>讲话，\r\n宣布计划。\r\n"
)
VTT = """WEBVTT - 新闻发布会

STYLE
::cue { color: yellow }

NOTE 这是注释，不翻译

intro
00:00.000 --> 00:02.000 align:start position:10%
<v 发言人>各位记者，

00:02.000 --> 00:04.000
大家好。
"""


def text_of(name: str, data: bytes) -> list[str]:
    [item] = read_items(name, data)
    return item.text.split("\n")


def kept_lines(text: str) -> list[str]:
    """Everything but cue text: numbers, timings, header, notes, styles, blank lines."""
    blocks = text.replace("\r\n", "\n").split("\n\n")
    kept = []
    for block in blocks:
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        kept.append(lines if timing is None else lines[: timing + 1])
    return [line for block in kept for line in block]


def test_sentences_across_cues_are_one_paragraph() -> None:
    assert text_of("talk.srt", SRT.encode()) == ["会议在厦门 <x1/> 召开。", "<x1/>市长<x2/>讲话， 宣布计划。"]
    assert text_of("talk.vtt", VTT.encode()) == ["<x1/>各位记者， <x2/> 大家好。"]


@pytest.mark.parametrize(
    "english",
    [
        ["The meeting <x1/> was held in Xiamen.", "<x1/>The mayor<x2/> spoke, announcing plans."],
        ["The meeting was held in Xiamen.", "The mayor spoke and announced plans."],  # markers dropped
        ["<x1/><x1/>", ""],
    ],
)
def test_srt_timings_and_numbers_are_byte_identical(english: list[str]) -> None:
    out = write_translated("talk.srt", SRT.encode(), english)
    assert out is not None
    text = out.decode()
    assert kept_lines(text) == kept_lines(SRT)
    assert text.count("\r\n") == SRT.count("\r\n") - 1  # the 3rd cue's two lines are one now
    assert "<i>" in text and "</i>" in text  # the cue's styling is kept


def test_vtt_header_notes_styles_and_cue_settings_are_kept() -> None:
    out = write_translated("talk.vtt", VTT.encode(), ["<x1/>Dear reporters, <x2/> hello everyone."])
    assert out is not None
    assert out.decode() == VTT.replace("各位记者，", "Dear reporters,").replace("大家好。", "hello everyone.")


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("a.vtt", "00:00.000 --> 00:01.000\n你好\n", "does not start with WEBVTT"),
        ("a.srt", "只是一段文字。\n", "no cue timings"),
    ],
)
def test_malformed_subtitles_are_a_clear_error(name: str, data: str, why: str) -> None:
    with pytest.raises(BadFile, match=why):
        read_items(name, data.encode())
