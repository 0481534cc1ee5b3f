from __future__ import annotations

import pytest

from service.pipeline.checks import output_problem


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
