from __future__ import annotations

from service.pipeline.repair import (
    better_by_clauses,
    clauses,
    invented_rendering,
    join_clauses,
    patch,
    usable_rendering,
    wants_clauses,
)


def test_patching_puts_english_in_place_with_sane_spacing() -> None:
    output, replaced = patch(
        "strategic新兴产业 grew; the “storage battery产业链供应链”, and 百强.",
        {"新兴产业": "emerging industries", "产业链供应链": "industrial and supply chain"},
    )
    assert (
        output
        == "strategic emerging industries grew; the “storage battery industrial and supply chain”, and 百强."
    )
    assert replaced == ["新兴产业", "产业链供应链"]


def test_unusable_renderings_are_refused() -> None:
    assert usable_rendering("新兴产业", ' "Emerging industries." ') == "Emerging industries"
    assert usable_rendering("新兴产业", "新兴 industries") is None
    assert usable_rendering("新兴产业", "") is None
    assert usable_rendering("新兴产业", "?") is None
    assert (
        usable_rendering(
            "百强", "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        )
        is None
    )


def test_a_sentence_is_cut_into_clauses_after_its_commas_semicolons_and_colons() -> None:
    source = "丸红则表示，贸易战冲击旗下美国谷物部门高鸿 ， 其已暂停在农业方面的金融交易。"
    assert clauses(source) == [
        "丸红则表示，",
        "贸易战冲击旗下美国谷物部门高鸿 ，",
        "其已暂停在农业方面的金融交易。",
    ]
    # Too short to stand alone ("据悉，"): goes with the next; figures keep their half-width commas.
    assert clauses("据悉，利润达5,000亿日圆；同比增长10:30。") == [
        "据悉，利润达5,000亿日圆；",
        "同比增长10:30。",
    ]
    assert clauses("会议召开。") == ["会议召开。"]
    assert len(clauses("，".join(["会议召开了"] * 20))) == 12


def test_which_answers_go_clause_by_clause_and_when_the_clauses_are_kept() -> None:
    source = "丸红则表示，贸易战冲击旗下美国谷物部门高鸿 ， 其已暂停在农业方面的金融交易。"
    assert wants_clauses(source, "", "zh")
    assert wants_clauses(source, "Yes.", "zh")  # far too short
    assert wants_clauses(source, "the the the the the", "zh")
    assert not wants_clauses(
        source, "Marubeni said 贸易战 hit its US grain unit, which stopped trading.", "zh"
    )
    assert not wants_clauses(source, "Marubeni said the trade war hit its US grain unit Gavilon.", "zh")
    joined = join_clauses(
        ["Marubeni said,", " ", "the trade war hit its US grain unit Gavilon,", "which stopped."]
    )
    assert joined == "Marubeni said, the trade war hit its US grain unit Gavilon, which stopped."
    assert better_by_clauses(source, "", "Marubeni said.", "zh")  # anything beats nothing
    assert not better_by_clauses(source, "", " ", "zh")
    assert better_by_clauses(source, "Yes.", joined, "zh")
    assert not better_by_clauses(source, "Yes.", "No.", "zh")  # no better than what it would replace


def test_a_fragments_english_that_is_another_terms_or_already_said_is_refused() -> None:
    glossary = (("规上工业", "industry above designated size"), ("新兴产业", "emerging industries"))
    said = "The strategic新兴产业 reached nearly 50% of industry above designated size."
    copied = invented_rendering("新兴产业", "Industry above designated size", glossary[:1], said)
    assert copied == "it is the English of 规上工业 ('industry above designated size')"
    assert invented_rendering("新兴产业", "emerging industries", glossary, said) is None
    assert invented_rendering("战略性新兴产业", "strategic emerging industries", glossary, said) is None
    repeated = invented_rendering("新兴产业", "designated size", (), said)
    assert repeated == "the sentence's translation already says it"
    # Words the translation has, but not as this phrase: the rest of a term half translated.
    left = "The storage battery 产业链供应链 entered the 产业链 supply chain project."
    assert invented_rendering("产业链供应链", "industrial chain and supply chain", (), left) is None
    # One word may rightly occur twice in a sentence.
    assert invented_rendering("产业", "industry", (), said) is None
