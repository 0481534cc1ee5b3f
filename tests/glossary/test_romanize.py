"""Hanyu Pinyin for names as official English writes them."""

from __future__ import annotations

import pytest

from service.glossary.romanize import romanize_person, romanize_place, split_name


@pytest.mark.parametrize(
    ("name", "english"),
    [
        ("周桂良", "Zhou Guiliang"),  # given name one word, surname first
        ("许国华", "Xu Guohua"),
        ("陈永", "Chen Yong"),
        ("曾国藩", "Zeng Guofan"),  # a surname read as a surname, not céng
        ("单雄信", "Shan Xiongxin"),  # not dān
        ("仇英", "Qiu Ying"),  # not chóu
        ("欧阳修", "Ouyang Xiu"),  # compound surnames stay one word
        ("司马光", "Sima Guang"),
        ("长孙无忌", "Zhangsun Wuji"),
        ("王长江", "Wang Changjiang"),  # 长 in a given name: cháng
        ("周长海", "Zhou Changhai"),
        ("李行", "Li Xing"),  # 行 in a name: xíng, not háng
        ("重光", "Chong Guang"),  # 重 as a surname: Chóng
        ("吕布", "Lü Bu"),  # ü kept
        ("王海鸥", "Wang Hai'ou"),  # an apostrophe where syllables would run together
        ("张恩", "Zhang En"),
    ],
)
def test_people(name: str, english: str) -> None:
    assert romanize_person(name) == english


@pytest.mark.parametrize(
    ("name", "english"),
    [("同安", "Tong'an"), ("西安", "Xi'an"), ("海安", "Hai'an"), ("天峨", "Tian'e"), ("厦门", "Xiamen"),
     ("朝阳", "Chaoyang"), ("重庆", "Chongqing"), ("长寿", "Changshou"), ("丰泽", "Fengze")],
)  # fmt: skip
def test_places(name: str, english: str) -> None:
    assert romanize_place(name) == english


def test_not_a_name_without_a_known_surname_or_of_the_wrong_length() -> None:
    assert split_name("的确") is None  # 的 is no surname
    assert split_name("王") is None  # a surname alone
    assert split_name("王小明华") is None  # four characters need a compound surname
    assert split_name("欧阳明") == ("欧阳", "明")
    assert romanize_person("经济") is None
