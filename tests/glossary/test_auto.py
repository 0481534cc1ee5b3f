"""Automatic renderings: found only on strong evidence, and refused where a common word looks like a name."""

from __future__ import annotations

import pytest

from service.glossary import automatic_entries, build_glossary


def found(text: str) -> dict[str, str]:
    return {entry.term: entry.rendering for entry in automatic_entries(text)}


def test_the_seed_people_places_and_bodies() -> None:
    # The seed's first paragraphs (as normalised: Simplified, pinyin ruby removed).
    text = (
        "以“质同道合 益同远行”为主题的厦门同安区质量强区大会在金牌厨柜召开。\n"
        "同安区委副书记、区长周桂良，厦门市市场监管局局长许国华，市市场监管局相关业务处室参加会议。\n"
        "近年来，同安区着力推动福建省产业链质量提升。同安上下一心。\n"
        "更好满足人民群众对高品质生活的需求和向往。（陈永）"
    )
    assert found(text) == {
        "周桂良": "Zhou Guiliang",  # after 区长
        "许国华": "Xu Guohua",  # after 局长
        "陈永": "Chen Yong",  # a byline ending the document
        "同安区": "Tong'an District",
        "同安": "Tong'an",  # the bare name, which the document also uses
        "厦门市": "Xiamen",  # a well-known city: no "City"
        "厦门": "Xiamen",
        "厦门市市场监管局": "Xiamen Administration for Market Regulation",  # place + known body
        "同安区委": "Tong'an District Party Committee",
        "同安区委副书记": "Deputy Secretary of the Tong'an District Committee",
        "厦门市市场监管局局长": "Director of the Xiamen Administration for Market Regulation",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("记者王小明报道。", {"王小明": "Wang Xiaoming"}),
        # A person who speaks, with no title (WMT newstest2017 zh-en).
        ("孙泽洲说，由于地球与火星距离遥远。", {"孙泽洲": "Sun Zezhou"}),
        ("詹启贤认为，今天只要还有党产。", {"詹启贤": "Zhan Qixian"}),
        ("发言人莫兰说，会谈富有成果。", {"莫兰": "Mo Lan"}),  # after a title, a two-character name will do
        ("副市长欧阳明出席。", {"欧阳明": "Ouyang Ming"}),
        ("省长曾国华指出，要稳住经济大盘。", {"曾国华": "Zeng Guohua"}),
        ("在泉州市丰泽区东海街道召开。", {"泉州市": "Quanzhou", "丰泽区": "Fengze District",
                                    "东海街道": "Donghai Subdistrict"}),
        ("上海市浦东新区召开会议。", {"上海市": "Shanghai", "浦东新区": "Pudong New Area"}),
        # Provinces are all in the built-in glossary: never automatic.
        ("福建省晋江市", {"晋江市": "Jinjiang City"}),
        ("北京市朝阳区", {"北京市": "Beijing", "朝阳区": "Chaoyang District"}),
        ("来自海安县的代表。", {"海安县": "Hai'an County"}),
        ("厦门市思明区人民政府发布通知。", {"厦门市": "Xiamen", "思明区": "Siming District",
                                    "思明区人民政府": "Siming District People's Government"}),
    ],
)  # fmt: skip
def test_found(text: str, expected: dict[str, str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "全市经济社会发展稳中有进。",  # 全市: "the whole city"
        "社区工作者深入小区开展服务。",  # community, residential compound
        "该县开发区和自贸区建设加快。",  # development and free-trade zones
        "城区和郊区，本市各区县，市区道路。",
        "沿海地区经济发展。",  # 地区: an area as often as a prefecture
        "主任同志指出要抓好落实。",  # a title and a common word, no name
        "区长主持召开会议。",  # a title followed by a verb
        "书记强调，要把握大局。",
        "部长会见了代表团。",
        "市长表示，城市更新要以人为本。",
        "湘西土家族苗族自治州",  # ethnic autonomous areas have official names: not guessed
        "局长的讲话很重要。",  # 的讲 is no name
        "卓越表示赞同。",  # "excellent", tagged as a name in the segmenter's dictionary
        "王府井介绍了情况。",  # a street, likewise
        "老城区改造加快。",  # the old town, not a district named Laocheng
        # Foreign names written in Chinese characters (FLORES-200 devtest): their pinyin is wrong.
        "加拿大新斯科舍省哈利法克斯市达尔豪斯大学医学教授",  # Nova Scotia, Halifax
        "她于2005年在布宜诺斯艾利斯省的阿根廷剧院宣布竞选总统。",  # Buenos Aires Province
        "在南非夸祖鲁-纳塔尔省发现了广泛耐药结核病。",  # KwaZulu-Natal: no Chinese province is auto
        "戴纽斯说：“我们现在什么也没做。”",  # Danius
        # Two characters and a verb of speech, no title: Moran (WMT newstest2019), not "Mo Lan".
        "莫兰说：“重点仍然是再平衡。”",
        "莫兰说，目前美国海军正在努力确保盟友知道这些军舰仍将在传统区域巡逻。",
        # A name joined to another by a middle dot is a transliteration: John Howard (FLORES-200 devtest,
        # zho_Hant), which the traditional script's tagging took for a speaker, "Huo Huade".
        "但總理約翰·霍華德表示，該法案只是為了保護醫院的設施。",
        "但总理约翰·霍华德表示，该法案只是为了保护医院的设施。",
        "约翰•霍华德表示反对。",
        "约翰·周桂良表示反对。",  # a speaker the segmenter does not know: only the dot tells
        "区长王大明·约翰出席。",
    ],
)
def test_refused(text: str) -> None:
    assert found(text) == {}


def test_a_request_wins_over_built_in_and_automatic_renderings() -> None:
    text = "区长周桂良在厦门市调研。"
    glossary = build_glossary({"周桂良": "Mayor Zhou"}, auto_from=text)
    assert glossary.entries["周桂良"].rendering == "Mayor Zhou"
    assert glossary.entries["周桂良"].origin == "request"
    assert glossary.entries["厦门市"].origin == "built-in"  # built-in over automatic
    assert build_glossary(auto_from=text).entries["周桂良"].origin == "auto"
