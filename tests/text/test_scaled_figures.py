from __future__ import annotations

import pytest

from service.text.numbers import missing_numbers
from service.text.scaled_figures import scaled_figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # WMT19 lines 56, 60 and 63, which qwen-pypi wrote as $13 billion, $5 trillion and 13.3 billion yen.
        ("投资认列13亿美元的减值损失", [("13亿美元", "$1.3 billion")]),
        ("扩大至全部逾5,000亿美元中国输美商品", [("5,000亿美元", "$500 billion")]),
        (
            "提列1,433亿日圆(13亿美元)损失",
            [("1,433亿日圆", "143.3 billion yen"), ("13亿美元", "$1.3 billion")],
        ),
        ("吸引3.5万人参观", [("3.5万", "35,000")]),
        ("营收1.2万亿元", [("1.2万亿元", "1.2 trillion yuan")]),
        ("投资1000余万元", [("1000余万元", "more than 10 million yuan")]),
        ("募資5億元人民幣", [("5億元人民幣", "500 million yuan")]),
        ("0.5亿", [("0.5亿", "50 million")]),
        ("增长24.5%，共3家企业", []),
        ("5亿和5亿", [("5亿", "500 million")]),
    ],
)
def test_figures_written_with_wan_and_yi_in_english(text: str, expected: list[tuple[str, str]]) -> None:
    assert scaled_figures(text) == expected


@pytest.mark.parametrize("text", ["13亿美元", "5,000亿美元", "1,433亿日圆", "3.5万", "1.2万亿元", "0.5亿"])
def test_the_english_is_what_the_numbers_check_accepts(text: str) -> None:
    ((_, english),) = scaled_figures(text)
    assert missing_numbers(text, english) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # WMT19 line 2: 30日 became "on November 1" in one run, "on March 30" in another.
        ("广东省十三届人大常委会第五次会议30日在广州举行", [("30日", "the 30th")]),
        ("23日，11日和2日", [("23日", "the 23rd"), ("11日", "the 11th"), ("2日", "the 2nd")]),
        ("9月24日报道", []),  # a whole date: the model writes those well
        ("2018年6月5日", []),
        ("本月1日起", []),
        ("请于5日内答复，3日后生效，连续3日", []),  # counts of days
        ("1,433亿日圆", [("1,433亿日圆", "143.3 billion yen")]),  # 日 of 日圆 is no day
    ],
)
def test_a_day_without_its_month_is_told_as_an_ordinal(text: str, expected: list[tuple[str, str]]) -> None:
    assert scaled_figures(text) == expected


def test_amounts_known_only_by_their_order_are_not_figures() -> None:
    # WMT19 line 60: 数千亿美元 became "$500 billion", the other figure of the sentence.
    assert scaled_figures("对对方数千亿美元商品互征关税，数万人，數百萬人") == [
        ("数千亿美元", "hundreds of billions of US dollars"),
        ("数万", "tens of thousands"),
        ("數百萬", "millions"),
    ]
