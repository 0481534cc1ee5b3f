from __future__ import annotations

from service.glossary import build_glossary
from service.glossary.compose import compose_bodies

PLACES = {"同安区": "Tong'an District", "厦门市": "Xiamen", "四川省": "Sichuan Province"}
BODIES = {
    "区委": "District Party Committee",
    "市委": "Municipal Party Committee",
    "省委": "Provincial Party Committee",
}
TITLES = {"区委副书记": "Deputy Secretary of the District Committee", "区长": "District Mayor"}


def _told(text: str) -> dict[str, str]:
    glossary = build_glossary(auto_from=text)
    return {match.entry.term: match.entry.rendering for match in glossary.find(text)}


def test_a_title_of_a_body_after_its_place_is_one_term() -> None:
    # The seed, p1.s2: 同安区 matched first and hid 区委副书记, and the model wrote "Tong'an District Party
    # Committee Chairman" for the district's deputy secretary.
    told = _told("同安区委副书记、区长周桂良出席会议。")
    assert told["同安区委副书记"] == "Deputy Secretary of the Tong'an District Committee"
    assert told["区长"] == "District Mayor"
    assert "同安区" not in told


def test_a_place_named_with_its_unit_composes_with_a_body_that_repeats_the_unit() -> None:
    found = compose_bodies("同安区委召开会议，四川省委副书记出席。", PLACES, BODIES, TITLES)
    assert found["同安区委"] == "Tong'an District Party Committee"
    assert found["四川省委"] == "Sichuan Provincial Party Committee"
    assert "四川省委副书记" not in found  # no such title given: the body alone


def test_built_in_titles_of_provincial_and_county_committees_compose() -> None:
    assert _told("四川省委副书记王晓晖")["四川省委副书记"] == (
        "Deputy Secretary of the Sichuan Provincial Party Committee"
    )
    assert _told("厦门市委书记崔永辉")["厦门市委书记"] == "Secretary of the Xiamen Municipal Party Committee"


def test_a_part_of_a_body_composes_neither_the_body_nor_a_title() -> None:
    assert compose_bodies("四川省委党校副校长", PLACES, BODIES, TITLES) == {}


def test_a_head_of_a_body_after_the_place_and_body_is_one_term() -> None:
    # The seed, p1.s2: told 厦门市市场监管局 and 局长 apart, qwen-pypi wrote "Director Xu Guohua".
    told = _told("厦门市市场监管局局长许国华出席会议。")
    assert told["厦门市市场监管局局长"] == "Director of the Xiamen Administration for Market Regulation"


def test_a_term_the_request_renders_is_not_overridden_by_a_composed_one() -> None:
    text = "同安区委副书记、区长周桂良出席会议。"
    requested = {"区委副书记": "Deputy Party Secretary of the District"}
    glossary = build_glossary(requested, auto_from=text)
    assert "同安区委副书记" not in glossary.entries  # its English is the built-in one, not the request's
    assert glossary.entries["区委副书记"].origin == "request"


def test_a_term_the_request_renders_is_neither_overridden_nor_hidden() -> None:
    # The seed with its glossary: 区委副书记 is the glossary's; 同安区 (automatic) must not hide it.
    text = "同安区委副书记、区长周桂良出席会议。"
    requested = {"区委副书记": "Deputy Secretary of the District Committee"}
    glossary = build_glossary(requested, auto_from=text)
    assert "同安区委副书记" not in glossary.entries  # a composition would carry the built-in English
    found = [(m.entry.term, m.entry.origin) for m in glossary.find(text)]
    assert found[:2] == [("区委副书记", "request"), ("区长", "built-in")]
    # With the seed's whole glossary, 同安区 is the glossary's too: the longer term of the two still wins.
    requested |= {"同安区": "Tong'an District"}
    found = [(m.entry.term, m.entry.origin) for m in build_glossary(requested, auto_from=text).find(text)]
    assert found[:2] == [("区委副书记", "request"), ("区长", "built-in")]
