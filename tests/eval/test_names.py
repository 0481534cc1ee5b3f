"""The pinyin names of a reference, found against the source's readings, and looked for in an output.
Most examples are real lines of WMT newstest2019 zh-en: by line number (from 1) in its .zh and .en files."""

from __future__ import annotations

import pytest

from eval.names import name_found, reference_names

SEED_SOURCE = "厦门市同安区区长周桂良出席会议。"
SEED_REFERENCE = "Zhou Guiliang, District Mayor of Tong'an District, Xiamen, attended the meeting."


def test_people_and_places_come_back_as_written_in_order() -> None:
    assert reference_names(SEED_SOURCE, SEED_REFERENCE) == ("Zhou Guiliang", "Tong'an", "Xiamen")


@pytest.mark.parametrize(
    ("source", "reference", "names"),
    [
        (  # newstest2019 line 1
            "张光军被任命为广东省副省长。",
            "Zhang Guangjun was appointed as the Vice Governor of Guangdong Province.",
            ("Zhang Guangjun", "Guangdong"),
        ),
        (  # line 378: a curly apostrophe, and a name in brackets
            "运算能力跻身世界前十的雄安(衡水)先进超级计算中心已经省市批复建设。",
            "Xiong’an (Hengshui) Advanced Supercomputing Center, which ranks among the top ten in the world, "
            "has been approved by the provincial and municipal governments to construct.",
            ("Xiong’an", "Hengshui"),
        ),
        (  # line 586: 同安 written without its apostrophe, 翔安 with one; each name once
            "目前，厦门市有6个市辖区，分为岛内的思明区和湖里区；岛外海沧区、集美区、同安区和翔安区。",
            "At present, there are six municipal districts in Xiamen, which are divided into Siming District "
            "and Huli District within the island; and Haicang, Jimei, Tongan and Xiang’an districts are "
            "outside the island.",
            ("Xiamen", "Siming", "Huli", "Haicang", "Jimei", "Tongan", "Xiang’an"),
        ),
        (  # line 588: a reporter's name with an apostrophe; "News Agency" and "Regulation" are not pinyin
            "新华社福州10月1日电(记者邰晓安)10月1日 ， 《 福建省高速铁路安全管理规定》正式实施。",
            "Xinhua News Agency, Fuzhou, October 1 (reported by Tai Xiao'an) -- The \"Regulation on the "
            'Administration of High-speed Railway Safety in Fujian Province" was officially enforced on '
            "October 1.",
            ("Xinhua", "Fuzhou", "Tai Xiao'an", "Fujian"),
        ),
        (  # line 319: the apostrophe marks a syllable boundary, tian-an-men
            "9月30日，共和国69岁华诞前夕，我们迎来了第五个烈士纪念日，习近平等党和国家领导人来到天安门广场，"
            "出席向人民英雄敬献花篮仪式。",
            "On September 30, on the eve of the 69th birthday of the People's Republic of China, we ushered "
            "in the fifth Memorial Day. Xi Jinping and other Party and state leaders came to the Tian'anmen "
            "Square to attend the ceremony for presenting flower baskets to the people's heroes.",
            ("Xi Jinping", "Tian'anmen"),
        ),
    ],
)
def test_real_wmt_lines(source: str, reference: str, names: tuple[str, ...]) -> None:
    assert reference_names(source, reference) == names


def test_a_title_before_a_name_is_trimmed_away() -> None:
    source = "国家主席习近平在北京会见了来访的总统。"
    names = reference_names(source, "President Xi Jinping met the visiting president in Beijing.")
    assert names == ("Xi Jinping", "Beijing")


def test_conventional_spellings_are_not_pinyin() -> None:
    # newstest2019 line 534: 香港 reads xianggang, never "Hong Kong".
    source = "香港是中国的香港，香港事务纯属中国内政。"
    reference = "Hong Kong belong to China, and Hong Kong affairs are purely China's internal affairs."
    assert reference_names(source, reference) == ()


def test_english_words_that_are_pinyin_need_the_source_to_read_so() -> None:
    # newstest2019 line 24: "He" is a syllable, but one alone never counts.
    source = "他说 ： “ 我们将继续关注西海岸的增长，并平衡我们能做的 。 ”"
    reference = 'He said: "We would continue to focus on the growth of the West Coast. "'
    assert reference_names(source, reference) == ()
    # Three words that are pinyin in a row, none of which the source reads.
    assert reference_names("他说长征很难。", "He said the Long March was hard. Long Men Dang") == ()
    # One syllable is never a name, even where the source reads so.
    assert reference_names("习主席说龙很长。", "President Xi said Long was long.") == ()


def test_heteronyms_and_the_readings_of_u_umlaut() -> None:
    assert reference_names("单雄信出场。", "Shan Xiongxin appears.") == ("Shan Xiongxin",)  # 单: dan, shan
    assert reference_names("吕梁下雨。", "It rained in Lüliang and Lvliang.") == ("Lüliang", "Lvliang")
    assert reference_names("西安", "Xian and Xi'an") == ("Xian", "Xi'an")  # xi-an, two characters
    assert reference_names("县城", "Xian") == ()  # here one character, xian: one syllable


def test_a_possessive_stays_outside_the_name() -> None:
    assert reference_names("周桂良说", "Zhou Guiliang's speech") == ("Zhou Guiliang",)


@pytest.mark.parametrize(
    ("name", "output", "found"),
    [
        ("Tong'an", "He visited Tong’an District.", True),
        ("Xiong’an", "the Xiong'an New Area", True),
        ("Xiong’an", "the Xiong‘an New Area", True),
        ("Zhou Guiliang", "ZHOU GUILIANG attended", True),
        ("Zhou Guiliang", "Zhou  Guiliang attended", True),
        ("Tong'an", "Tong'an's industry", True),
        ("Zhou Guiliang", "Zhou Gui Liang attended", False),
        ("Guiliang", "Gui Liang attended", False),
        ("Xiamen", "Xiamenese food", False),
        ("Xi'an", "Xian", False),
        ("Tongan", "Tong'an", False),
    ],
)
def test_name_found_is_a_whole_word_match(name: str, output: str, found: bool) -> None:
    assert name_found(name, output) is found
