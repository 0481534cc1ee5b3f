from __future__ import annotations

from service.glossary import GlossaryEntry, build_glossary
from service.pipeline.terms import enforce_names, plan_piece, report_terms, restore_placeholders

SENTENCE = "同安区委副书记、区长周桂良参加会议。"


def test_prompted_models_get_matching_entries_as_hints() -> None:
    plan = plan_piece(SENTENCE, "zh", build_glossary(auto_from=SENTENCE), prompted=True)
    assert plan.source.text == SENTENCE
    assert ("周桂良", "Zhou Guiliang") in plan.source.glossary
    assert ("同安区委副书记", "Deputy Secretary of the Tong'an District Committee") in plan.source.glossary


def test_seq2seq_models_get_placeholders_that_are_restored() -> None:
    plan = plan_piece(SENTENCE, "zh", build_glossary(auto_from=SENTENCE), prompted=False)
    assert plan.source.text == "ZQX1、ZQX2ZQX3参加会议。"
    assert plan.placeholders == (
        "Deputy Secretary of the Tong'an District Committee",
        "District Mayor",
        "Zhou Guiliang",
    )
    model_output = "ZQX1, zqx 2 ZQX3 attended; ZQX9 is unknown."
    restored = restore_placeholders(model_output, plan)
    assert restored == (
        "Deputy Secretary of the Tong'an District Committee, District Mayor Zhou Guiliang attended; "
        "ZQX9 is unknown."
    )


def test_text_without_terms_is_unchanged() -> None:
    plan = plan_piece("今天天气很好。", "zh", build_glossary(), prompted=False)
    assert plan.source.text == "今天天气很好。" and plan.entries == () and plan.placeholders == ()
    assert restore_placeholders("Nice weather.", plan) == "Nice weather."


def test_report_says_where_each_term_was_and_whether_it_was_used() -> None:
    glossary = build_glossary({"周桂良": "Zhou Guiliang", "许国华": "Xu Guohua"})
    first = plan_piece("周桂良参加会议。", "zh", glossary, prompted=True).entries
    second = plan_piece("周桂良、许国华讲话。", "zh", glossary, prompted=True).entries
    report = report_terms(
        [
            ("p1.s1", first, "Zhou Guiliang attended the meeting."),
            ("p2.s1", second, "Zhou Guiliang and Hsu Kuo-hua spoke."),
        ]
    )
    by_term = {item.term: item for item in report}
    assert by_term["周桂良"].segments == ("p1.s1", "p2.s1") and by_term["周桂良"].applied
    assert by_term["许国华"].segments == ("p2.s1",) and not by_term["许国华"].applied


def test_a_figure_after_a_term_stays_apart_from_its_placeholder() -> None:
    """The seed's 同比增长24.5%: the placeholder and the figure once ran together (ZQX324.5%) and the
    rendering was lost."""
    text = "高技术产业同比增长24.5%。"
    glossary = build_glossary({"同比增长": "year-on-year growth"})
    plan = plan_piece(text, "zh", glossary, prompted=False)
    assert plan.source.text.endswith("ZQX1 24.5%。")
    assert restore_placeholders("High-tech industry ZQX1 24.5%.", plan).endswith("year-on-year growth 24.5%.")
    # A model that runs them together anyway: the longest number that names a placeholder.
    assert restore_placeholders("High-tech ZQX124.5%.", plan) == "High-tech year-on-year growth24.5%."


def test_the_configured_glossary_sits_between_the_built_in_and_the_request() -> None:
    configured = {"区长": "Head of District", "同安区": "Tong'an"}
    glossary = build_glossary({"同安区": "Tong'an District"}, configured=configured)
    assert (glossary.entries["区长"].rendering, glossary.entries["区长"].origin) == (
        "Head of District",
        "configured",
    )
    assert glossary.entries["同安区"].origin == "request"
    assert build_glossary().entries["区长"].origin == "built-in"


def test_a_name_the_model_wrote_as_a_variant_is_written_as_approved() -> None:
    zhou = GlossaryEntry("周桂良", "Zhou Guiliang", "auto")
    tongan = GlossaryEntry("同安区", "Tong'an District", "auto")
    entries = [zhou, tongan]
    assert enforce_names("Mayor Zhou Gui-liang visited Tongan district.", entries) == (
        "Mayor Zhou Guiliang visited Tong'an District.",
        ["Zhou Guiliang", "Tong'an District"],
    )
    assert enforce_names("Guiliang Zhou spoke.", [zhou]) == ("Zhou Guiliang spoke.", ["Zhou Guiliang"])
    # Approved already, or a different name: left as it is (the checks warn of a missing term).
    assert enforce_names("Zhou Guiliang spoke.", [zhou]) == ("Zhou Guiliang spoke.", [])
    assert enforce_names("Zhou Guoliang spoke.", [zhou]) == ("Zhou Guoliang spoke.", [])
    # Renderings that are not names are not enforced this way.
    assert enforce_names(
        "Year on year growth.", [GlossaryEntry("同比增长", "year-on-year growth", "built-in")]
    ) == (
        "Year on year growth.",
        [],
    )


def test_figures_with_wan_and_yi_are_told_to_instruction_models_in_english_but_not_reported() -> None:
    # WMT19 line 56: qwen-pypi wrote 13亿美元 as "$13 billion".
    text = "伊藤忠商事对中信股份的投资认列13亿美元的减值损失，同安区吸引3.5万人。"
    glossary = build_glossary(auto_from=text)
    plan = plan_piece(text, "zh", glossary, prompted=True)
    assert ("13亿美元", "$1.3 billion") in plan.source.glossary
    assert ("3.5万", "35,000") in plan.source.glossary
    assert all(entry.term not in {"13亿美元", "3.5万"} for entry in plan.entries)  # not glossary terms
    masked = plan_piece(text, "zh", glossary, prompted=False)
    assert all(term not in {"13亿美元", "3.5万"} for term, _ in masked.source.glossary)  # seq2seq: no hints


def test_a_figure_inside_a_glossary_term_is_the_terms_to_render() -> None:
    text = "规模达5亿元的产业基金成立。"
    glossary = build_glossary({"规模达5亿元的产业基金": "the 500-million-yuan industry fund"})
    plan = plan_piece(text, "zh", glossary, prompted=True)
    assert plan.source.glossary == (("规模达5亿元的产业基金", "the 500-million-yuan industry fund"),)
