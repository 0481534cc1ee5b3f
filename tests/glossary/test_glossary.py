from __future__ import annotations

from service.glossary import build_glossary, builtin_entries


def test_builtin_glossary_holds_general_terms_only() -> None:
    table = {entry.term: entry.rendering for entry in builtin_entries()}
    assert table["市场监管局"] == "Administration for Market Regulation"
    assert table["国务院"] == "State Council"
    assert table["国家发展和改革委员会"] == "National Development and Reform Commission"
    assert table["外交部"] == "Ministry of Foreign Affairs"
    assert table["福建省"] == "Fujian Province"
    assert table["人民政府"] == "People's Government"
    assert sum(1 for term in table if term.endswith("省")) >= 20
    # The seed's own people, companies and district are the seed suite's glossary, not the service's.
    for seed_only in ("周桂良", "许国华", "陈永", "金牌厨柜", "海辰储能", "同安区"):
        assert seed_only not in table
    assert {entry.origin for entry in builtin_entries()} == {"built-in"}


def test_a_ministers_title_is_not_read_as_the_ministry() -> None:
    # WMT newstest2019: 外交部长 had been given 外交部's rendering, and the model dropped the title.
    text = "国务委员兼外交部长王毅出席活动，外交部发言人答问。"
    found = build_glossary().find(text)
    assert [(match.entry.term, match.entry.rendering) for match in found] == [
        ("国务委员", "State Councilor"),
        ("外交部长", "Foreign Minister"),
        ("王毅", "Wang Yi"),  # a national leader: in the built-in glossary
        ("外交部", "Ministry of Foreign Affairs"),
    ]


def test_longest_term_wins_and_matches_do_not_overlap() -> None:
    text = "同安区委副书记、区长周桂良，厦门市市场监管局局长许国华"
    found = build_glossary(auto_from=text).find(text)
    assert [(match.entry.term, match.entry.origin) for match in found] == [
        ("同安区委副书记", "auto"),  # place + a title of its body, longer than 同安区 and 区委副书记
        ("区长", "built-in"),
        ("周桂良", "auto"),
        ("厦门市市场监管局局长", "auto"),  # place + body + its head, longer than 厦门市 and 市场监管局
        ("许国华", "auto"),
    ]
    assert [m.entry.term for m in build_glossary().find("副部长和部长")] == ["副部长", "部长"]


def test_request_entries_override_and_are_read_as_simplified() -> None:
    glossary = build_glossary({"同安區": "Tongan", "金門": "Kinmen"})
    assert glossary.entries["同安区"].rendering == "Tongan"
    assert glossary.entries["同安区"].origin == "request"
    assert [m.entry.rendering for m in glossary.find("金门和同安区")] == ["Kinmen", "Tongan"]


def test_glossary_without_builtin_entries() -> None:
    assert build_glossary({"甲": "A"}, include_builtin=False).find("甲乙国务院")[0].entry.term == "甲"
    assert len(build_glossary({}, include_builtin=False).find("国务院")) == 0
