"""People named without a title (service/glossary/people.py), and officials who romanise their own names."""

from __future__ import annotations

import pytest

from service.glossary import automatic_entries, build_glossary
from service.glossary.auto import auto_terms


def found(text: str) -> dict[str, str]:
    return {entry.term: entry.rendering for entry in automatic_entries(text)}


def people(text: str) -> dict[str, str]:
    """The people among the automatic terms (a list of places is found too, as places)."""
    return {term.term: term.rendering for term in auto_terms(text, {}, {}) if term.kind == "person"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Named twice, found by the segmenter itself each time (it cuts 李 from 卫东: joined again).
        ("李卫东在会上发言。后来李卫东又补充了几点。", {"李卫东": "Li Weidong"}),
        # A list ending in 等 ("and others") is a list of people when each item reads as a name.
        ("会上，刘海涛、陈晓红、赵建平等作了交流发言。",
         {"刘海涛": "Liu Haitao", "陈晓红": "Chen Xiaohong", "赵建平": "Zhao Jianping"}),
        # A list ending in a count of people (WMT newstest2019).
        ("来自广东省的谭卫、何章鸿、赖斌三人起诉。",
         {"谭卫": "Tan Wei", "何章鸿": "He Zhanghong", "赖斌": "Lai Bin"}),
        # A list whose first name has a title: the others are people too.
        ("区长周桂良、许国华、陈永参加会议。",
         {"周桂良": "Zhou Guiliang", "许国华": "Xu Guohua", "陈永": "Chen Yong"}),
        # A name found with a title in one sentence makes a later list of people.
        ("区长周桂良出席会议。周桂良、许国华、陈永参加。",
         {"周桂良": "Zhou Guiliang", "许国华": "Xu Guohua", "陈永": "Chen Yong"}),
    ],
)  # fmt: skip
def test_found_without_a_title(text: str, expected: dict[str, str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "李卫东在会上发言。",  # once, without a title: a guess
        "上海、北京、广州等城市。",  # a list of places
        "苹果、香蕉、橘子等水果。",  # a list of things
        "刘海涛、陈晓红、赵建平。",  # names, perhaps, but nothing says they are people
        "会上，王府井、刘海涛等发言。",  # one item is no name (a street): the list is not of people
    ],
)
def test_refused_without_a_title(text: str) -> None:
    assert people(text) == {}


def test_a_name_found_with_a_title_is_matched_where_it_has_none() -> None:
    text = "区长周桂良出席会议。\n会后，周桂良前往工地。"
    glossary = build_glossary(auto_from=text)
    [match] = glossary.find("会后，周桂良前往工地。")
    assert (match.entry.term, match.entry.rendering) == ("周桂良", "Zhou Guiliang")


@pytest.mark.parametrize(
    ("name", "rendering"),
    [
        ("蔡英文", "Tsai Ing-wen"),
        ("李显龙", "Lee Hsien Loong"),
        ("林郑月娥", "Carrie Lam"),
        ("林全", "Lin Chuan"),
    ],
)
def test_officials_of_taiwan_hong_kong_macao_and_singapore_keep_their_own_romanisation(
    name: str, rendering: str
) -> None:
    # After a title the automatic layer would write pinyin (Cai Yingwen); the maintained list wins.
    glossary = build_glossary(auto_from=f"总统{name}表示，会谈富有成果。")
    [match] = [m for m in glossary.find(f"总统{name}表示，会谈富有成果。") if m.entry.term == name]
    assert match.entry.rendering == rendering and match.entry.origin == "built-in"


@pytest.mark.parametrize(
    "text", ["阳澄湖的大闸蟹很有名。今年阳澄湖产量下降。", "普惠性幼儿园。发展普惠性托育。"]
)
def test_places_and_words_the_segmenter_takes_for_people_are_refused(text: str) -> None:
    # WMT newstest2019/2021: a lake (Yangcheng Lake) and "inclusive" were found as repeated people.
    assert found(text) == {}


def test_national_leaders_named_without_a_title_are_in_the_built_in_glossary() -> None:
    # WMT newstest2019: 李克强 with no title, which qwen-pypi wrote "Liu Keqiang".
    [match] = build_glossary().find("李克强同各位驻华使节一一握手。")
    assert (match.entry.rendering, match.entry.origin) == ("Li Keqiang", "built-in")
