"""The bullet verifier and the extract fallback: pure functions, no model."""

from __future__ import annotations

import pytest

from service.pipeline.bullets import (
    MAX_WORDS,
    Bullet,
    bullet_problems,
    check_bullet,
    clean_bullet,
    compress_extract,
    near_duplicate,
)
from service.pipeline.types import TranslatedDocument, TranslatedSegment

SEGMENT = TranslatedSegment(
    "p2.s4",
    2,
    "今年,同安區戰略性新興產業產值已占規上工業比重近50%,高技術產業增加值同比增長24.5%。",
    "今年，同安区战略性新兴产业产值已占规上工业比重近50%，高技术产业增加值同比增长24.5%。",
    "This year, the output of Tong'an's strategic emerging industries reached nearly 50% of industry "
    "above designated size, and the added value of high-tech industries grew 24.5% year on year.",
)
OTHER = TranslatedSegment(
    "p1.s1", 1, "會議召開。", "会议召开。", "The quality-strong district conference was held in Tong'an."
)
DOCUMENT = TranslatedDocument("zh", 0.99, "", (OTHER, SEGMENT))


def test_a_faithful_bullet_passes() -> None:
    text = "Strategic emerging industries reached nearly 50% of Tong'an's industry; high-tech value added grew 24.5%."
    assert bullet_problems(text, [SEGMENT]) == []
    assert check_bullet(Bullet(text, ("p2.s4",)), DOCUMENT) == []


@pytest.mark.parametrize(
    ("text", "cited", "code"),
    [
        ("", [SEGMENT], "empty"),
        ("High-tech industries grew 24.5% in Tong'an.", [], "no_sources"),
        ("High-tech industries grew 25.4% in Tong'an this year.", [SEGMENT], "unsupported_number"),
        (
            "Emerging industries' output grew 24.5%, and high-tech value added grew 24.5%.",
            [SEGMENT],
            "unsupported_number",
        ),
        ("High-tech industries grew 24.5% in 同安.", [SEGMENT], "chinese_left"),
        (" ".join(["industries"] * (MAX_WORDS + 1)), [SEGMENT], "too_long"),
        ("Football fans celebrated the championship parade downtown.", [SEGMENT], "not_grounded"),
    ],
)
def test_each_problem_is_named(text: str, cited: list[TranslatedSegment], code: str) -> None:
    assert code in bullet_problems(text, cited)


def test_numbers_may_stand_in_the_source_rather_than_the_translation() -> None:
    garbled = TranslatedSegment(
        SEGMENT.id, 2, SEGMENT.source, SEGMENT.normalized, "High-tech industries grew."
    )
    assert "unsupported_number" not in bullet_problems("High-tech industries grew 24.5%.", [garbled])


def test_unknown_sources_and_duplicates() -> None:
    text = "High-tech industries in Tong'an grew 24.5% year on year."
    assert check_bullet(Bullet(text, ("p2.s4", "p9.s9")), DOCUMENT) == ["unknown_source"]
    assert check_bullet(Bullet(text, ("p9.s9",)), DOCUMENT)[0] == "unknown_source"
    again = "Tong'an high-tech industries grew 24.5% year on year."
    assert near_duplicate(text, again)
    assert bullet_problems(again, [SEGMENT], [text]) == ["near_duplicate"]
    assert not near_duplicate(text, "The quality-strong district conference was held.")


def test_bullets_are_cleaned_to_one_line() -> None:
    assert clean_bullet("- Tong'an held a conference\n- and another") == "Tong'an held a conference."
    assert clean_bullet("• “Growth reached 24.5%.”") == "Growth reached 24.5%."
    assert clean_bullet("1. Output grew") == "Output grew."


def test_the_extract_keeps_the_sentence_numbers_and_its_own_words() -> None:
    long = (
        "At the meeting, Zhou Guiliang, deputy secretary of the district committee and district mayor, "
        "praised the district's work in recent years, and proposed focusing on 4 key areas of quality, "
        "strengthening supervision, optimising supply, building brands (for example in bathroom fittings), "
        "and aiming at international standards so as to contribute more to the quality-strong country."
    )
    extract = compress_extract(long)
    words = extract.split()
    assert len(words) <= MAX_WORDS
    assert extract.startswith("Zhou Guiliang") and "4 key areas" in extract
    assert "(for example" not in extract
    assert all(word.strip(".,…") in long for word in words if word != "…")
    segment = TranslatedSegment("p4.s1", 4, "", "", long)
    assert bullet_problems(extract, [segment]) == []


def test_the_extract_drops_chinese_left_in_the_translation() -> None:
    extract = compress_extract("Two new tracks, 新能源 and prepared food, took shape.")
    assert extract == "Two new tracks, and prepared food, took shape."
    assert compress_extract("短短八个字。") == ""
