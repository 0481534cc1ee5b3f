from decimal import Decimal

import pytest

from service.text.numbers import (
    chinese_numeral_value,
    missing_numbers,
    numbers_in,
    overused_numbers,
    unsupported_numbers,
)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十", 10), ("十一", 11), ("二十四", 24), ("一百零五", 105), ("三千万", 30_000_000),
     ("一亿两千万", 120_000_000), ("二〇二三", 2023), ("两", 2)],
)  # fmt: skip
def test_chinese_numerals_are_read_as_values(numeral: str, value: int) -> None:
    assert chinese_numeral_value(numeral) == value


def values(text: str) -> list[Decimal]:
    return [mention.value for mention in numbers_in(text)]


def test_chinese_figures_with_units_and_percentages() -> None:
    assert values("比重近50%,增长24.5%") == [50, Decimal("24.5")]
    assert values("1.2万元与3亿元") == [12_000, 300_000_000]
    assert values("百分之二十四点五") == [Decimal("24.5")]
    assert values("明确11项重点项目、四大目标,与两家企业") == [11, 4, 2]
    assert values("9月29日") == [9, 29]


def test_chinese_numerals_inside_words_are_not_figures() -> None:
    assert values("一链一策,统一部署,一体化,第一家") == []


def test_english_forms() -> None:
    text = "On September 29, 50 percent, 1.2 million, twenty-four, one hundred and five, 12,000, the 29th"
    assert values(text) == [9, 29, 50, 1_200_000, 24, 105, 12_000, 29]
    assert values("one of them met at a conference") == []
    assert values("May we ask whether the mayor may speak") == []
    assert values("production resumed in May, twice as fast") == [5, 2]


def test_chinese_tenths_and_doubling() -> None:
    assert values("6成是男性,高两成") == [60, 20]
    assert values("增长1倍多,是人工的8倍") == [8]


def test_missing_numbers_compares_values_across_languages() -> None:
    source = "9月29日,同安区召开大会,明确11项重点项目、四大目标,增长24.5%。"
    assert missing_numbers(source, "On September 29, eleven key projects, four goals, up 24.5 percent.") == []
    assert missing_numbers(source, "On September 28, key projects and four goals grew 24.5%.") == ["29", "11"]


def test_unsupported_numbers_names_what_no_evidence_holds() -> None:
    evidence = ["比重近50%,增长24.5%", "nearly half, up 24.5%"]
    assert unsupported_numbers("Nearly 50% and 24.5% growth", evidence) == []
    assert unsupported_numbers("Up 30% since 2019", evidence) == ["30%", "2019"]


def test_overused_numbers_finds_a_figure_stated_more_often_than_its_source_does() -> None:
    # From a real bullet of the seed's paragraph 2 (qwen-pypi): 24.5% given to the emerging industries too.
    evidence = [
        "战略性新兴产业产值已占规上工业比重近50%,高技术产业增加值同比增长24.5%",
        "nearly 50%, up 24.5%",
    ]
    wrong = "Strategic emerging industries grew by 24.5%, and the high-tech industry grew by 24.5%."
    assert overused_numbers(wrong, evidence) == ["24.5%"]
    assert overused_numbers("Emerging industries near 50%; high-tech up 24.5%.", evidence) == []
    assert overused_numbers("Up 5% in May and 5% in June.", ["5月增长5%,6月增长5%"]) == []
