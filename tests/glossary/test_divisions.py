from __future__ import annotations

from service.glossary import build_glossary
from service.glossary.auto import tagged
from service.glossary.divisions import bare_places, divisions

# WMT newstest2019: qwen-pypi wrote 宝鸡 as "Baoding", 固原 as "Gansu" and 西宁 as "Xinjiang".
SILK_ROAD = "宝鸡先后在天水、平凉、兰州、银川、固原、西宁、张掖、哈密等丝绸之路沿线8个城市开展推介活动。"


def _found(text: str) -> dict[str, str]:
    glossary = build_glossary(auto_from=text)
    return {match.entry.term: match.entry.rendering for match in glossary.find(text)}


def test_cities_named_without_their_unit_are_found_from_the_list_of_divisions() -> None:
    found = _found(SILK_ROAD)
    assert found["宝鸡"] == "Baoji"  # a prefecture-level city the dictionary does not use as a word
    assert found["固原"] == "Guyuan" and found["西宁"] == "Xining" and found["张掖"] == "Zhangye"
    assert found["平凉"] == "Pingliang"  # tagged as an adjective, but listed beside places


def test_a_town_of_one_character_and_zhen_is_one_word() -> None:
    assert _found("这是乌镇发展数字经济的一个缩影。")["乌镇"] == "Wuzhen"


def test_provinces_and_well_known_cities_named_bare() -> None:
    found = _found("9月29日至30日，全国政协在北京召开会议，四川代表出席。")
    assert found["北京"] == "Beijing" and found["四川"] == "Sichuan"


def test_division_names_used_as_common_words_are_not_places() -> None:
    # 公安 (a county, and "public security"), 日照 (a city, and "sunshine"), 合作, 和平, 东方, 延长.
    text = "公安机关延长日照时间，和平合作，东方城镇化加快。城镇和古镇、重镇、新镇。"
    assert {"公安", "日照", "合作", "和平", "东方", "延长"} <= set(divisions())
    assert bare_places(tagged(text), {}, {}) == {}


def test_a_part_of_a_body_is_not_the_body() -> None:
    # WMT19 line 9: 四川省委党校 (the Party School) was told to the model as the Provincial Party Committee.
    assert _found("广东省委召开会议。")["广东省委"] == "Guangdong Provincial Party Committee"
    assert "广东省委" not in _found("2001年在广东省委党校学习。")
