from __future__ import annotations

import pytest

from service.pipeline.checks import CHECK_CODES, output_problem, repeated_phrase, segment_problems


@pytest.mark.parametrize(
    ("source", "output", "code"),
    [
        ("同安区召开会议。", "", "empty_translation"),
        ("同安区召开会议。", "Tong'an 召开 a meeting.", "untranslated_text"),
        ("同安区始终坚持工业立区和质量强区战略，不断完善政策举措。", "Yes.", "length_ratio"),
        ("The government announced new measures today.", "x" * 400, "length_ratio"),
    ],
)
def test_bad_outputs_are_named(source: str, output: str, code: str) -> None:
    problem = output_problem(source, output, "en" if source.startswith("The") else "zh")
    assert problem is not None and problem[0] == code


def test_good_outputs_and_short_headings_pass() -> None:
    assert (
        output_problem("同安区召开质量强区大会。", "Tong'an District held a quality conference.", "zh")
        is None
    )
    assert output_problem("序言", "Preface to the annual report of the district", "zh") is None


GOOD = ("9月29日，同安区召开质量强区大会。", "On September 29, Tong'an District held a quality conference.")
TERMS = [("同安区", "Tong'an District")]


def codes(source: str, output: str) -> list[str]:
    return [problem.code for problem in segment_problems(source, output, "zh", TERMS)]


def test_a_good_translation_passes_every_check() -> None:
    assert codes(*GOOD) == []


@pytest.mark.parametrize(
    ("output", "code"),
    [
        ("", "empty_translation"),
        ("On September 29, 同安区 held a quality conference.", "untranslated_text"),
        ("Met.", "length_ratio"),
        (
            "On September 29, Tong'an District held a conference conference conference conference.",
            "repetition",
        ),
        ("On September 28, Tong'an District held a quality conference.", "numbers_not_carried_over"),
        ("On September 29, Tongan held a quality conference.", "glossary_term_missed"),
    ],
)
def test_each_check_fails_on_its_own_fault(output: str, code: str) -> None:
    assert code in codes(GOOD[0], output)
    assert code in CHECK_CODES


def test_repeated_phrases_are_loops_but_emphasis_is_not() -> None:
    assert (
        repeated_phrase("the quality of the the quality of the the quality of the work")
        == "the quality of the"
    )
    assert repeated_phrase("very, very good and very good indeed") is None


def test_missing_numbers_and_terms_are_named_in_the_message() -> None:
    problems = segment_problems(GOOD[0], "On September 28, Tongan held a quality conference.", "zh", TERMS)
    messages = {problem.code: problem.message for problem in problems}
    assert "29" in messages["numbers_not_carried_over"]
    assert "Tong'an District" in messages["glossary_term_missed"]


@pytest.mark.parametrize(
    ("source", "language", "output"),
    [
        ("서울에서 회의가 열렸다.", "ko", "A meeting was held in 서울."),
        ("В Москве прошло совещание.", "ru", "A meeting was held in Москве."),
        ("عقد اجتماع في القاهرة.", "ar", "A meeting was held in القاهرة."),
    ],
)
def test_source_script_left_in_the_english_is_untranslated(source: str, language: str, output: str) -> None:
    problem = output_problem(source, output, language)
    assert problem is not None and problem[0] == "untranslated_text"
    assert output_problem(source, "A meeting was held in the capital.", language) is None
