"""The pipeline's checks, retry and glossary report, over fake backends standing in for the model layer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from service.models.backend import Generation, Source
from service.pipeline.repair import fragments_will_do
from service.pipeline.translate import TranslateJob, TranslationPipeline
from tests.pipeline.fakes import AnsweringBackend, OneQueue


class ScriptedBackend(AnsweringBackend):
    """Answers from a script keyed by (text, strict); records what it was asked."""

    def __init__(self, script: dict[tuple[str, bool], str], prompted: bool) -> None:
        super().__init__(prompted=prompted, model="scripted")
        self.script = script

    def reply(self, source: Source) -> Generation:
        text = self.script.get((source.text, source.strict), "?")
        return Generation(text, 5, raw=f"  {text}")


def run(backend: ScriptedBackend, job: TranslateJob, *, prompt_context: bool = False) -> Any:
    pipeline = TranslationPipeline(
        OneQueue(backend), token_budget=200, timeout=10, prompt_context=prompt_context
    )
    return asyncio.run(pipeline.translate(job))


def test_a_failed_output_is_retried_once_with_the_strict_prompt() -> None:
    text = "区长周桂良参加会议。"
    backend = ScriptedBackend(
        {
            (text, False): "Here 区长周桂良参加会议.",
            (text, True): "District Mayor Zhou Guiliang attended the meeting.",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == "District Mayor Zhou Guiliang attended the meeting."
    assert [source.strict for source in backend.seen] == [False, True]
    assert backend.seen[1].leftover == ("区长周桂良参加会议",)
    # The title is the built-in glossary's; the name was found in the text (after the title).
    assert backend.seen[0].glossary == (("区长", "District Mayor"), ("周桂良", "Zhou Guiliang"))
    assert document.warnings == ()
    assert document.generated_tokens == 10
    assert [(g.term, g.applied, g.origin) for g in document.glossary] == [
        ("区长", True, "built-in"),
        ("周桂良", True, "auto"),
    ]


def test_a_segment_still_bad_after_the_retry_carries_a_warning() -> None:
    text = "区长周桂良参加会议。"
    backend = ScriptedBackend(
        {(text, False): "District Mayor 周桂良 attended.", (text, True): "District Mayor 周桂良 came."},
        prompted=True,
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert [(w.code, w.segment) for w in document.warnings] == [
        ("untranslated_text", "p1.s1"),
        ("glossary_term_missed", "p1.s1"),
    ]
    assert {g.term: g.applied for g in document.glossary} == {"区长": True, "周桂良": False}


def test_a_term_rendered_in_some_sentences_and_not_others_is_inconsistent() -> None:
    first, second = "区长周桂良参加会议。", "周桂良指出要抓好落实。"
    backend = ScriptedBackend(
        {
            (first, False): "District Mayor Zhou Guiliang attended the meeting.",
            (second, False): "Zhou Guailiang said the work must be done well.",
            (second, True): "Zhang Guiliang said the work must be done well.",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(first + second, "zh"))
    inconsistent = [w for w in document.warnings if w.code == "term_inconsistent"]
    assert [(w.segment, w.message) for w in inconsistent] == [
        ("p1.s2", "周桂良 is rendered 'Zhou Guiliang' in p1.s1 but not in p1.s2")
    ]


def test_automatic_renderings_can_be_switched_off() -> None:
    backend = ScriptedBackend({}, prompted=True)
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10, auto_terms=False)
    asyncio.run(pipeline.translate(TranslateJob("区长周桂良参加会议。", "zh")))
    assert backend.seen[0].glossary == (("区长", "District Mayor"),)


def test_seq2seq_models_are_not_retried_and_get_placeholders() -> None:
    backend = ScriptedBackend(
        {("ZQX1ZQX2参加会议。", False): "ZQX1 ZQX2 attended the meeting."}, prompted=False
    )
    document = run(backend, TranslateJob("区长周桂良参加会议。", "zh"))
    assert document.segments[0].translation == "District Mayor Zhou Guiliang attended the meeting."
    assert [source.text for source in backend.seen] == ["ZQX1ZQX2参加会议。"]
    assert all(term.applied for term in document.glossary)


def test_request_glossary_overrides_the_builtin_one() -> None:
    backend = ScriptedBackend({}, prompted=True)
    run(backend, TranslateJob("周桂良参加会议。", "zh", glossary={"周桂良": "Chou Kuei-liang"}))
    assert backend.seen[0].glossary == (("周桂良", "Chou Kuei-liang"),)


def test_a_few_words_left_in_chinese_are_translated_alone_without_a_retry() -> None:
    text = "战略性新兴产业产值已占规上工业比重近50%。"
    backend = ScriptedBackend(
        {
            (text, False): "Strategic新兴产业 output is near 50% of industry above designated size.",
            (text, True): "a retranslation of the whole sentence, which is not needed",
            ("新兴产业", False): "Emerging industries.",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == (
        "Strategic Emerging industries output is near 50% of industry above designated size."
    )
    assert not any(source.strict for source in backend.seen)
    assert [(w.code, w.segment) for w in document.warnings] == [("fragments_translated_separately", "p1.s1")]
    assert "新兴产业 → Emerging industries" in document.warnings[0].message
    fragment_request = backend.seen[-1]
    assert (fragment_request.text, fragment_request.context) == ("新兴产业", text)
    # Asked as the next turn of the exchange that left it, which the model wrote as `raw`.
    assert fragment_request.follows == (backend.seen[0], "  " + backend.script[text, False])


def test_chinese_left_after_the_retry_is_translated_fragment_by_fragment() -> None:
    text = "战略性新兴产业产值已占规上工业比重近50%。"
    backend = ScriptedBackend(
        {
            (text, False): "Strategic新兴产业产值已占 output is near 50% of industry above designated size.",
            (text, True): "Strategic新兴产业 output reached nearly 50% of industry above designated size.",
            ("新兴产业", False): "Emerging industries.",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == (
        "Strategic Emerging industries output reached nearly 50% of industry above designated size."
    )
    assert [source.strict for source in backend.seen][:2] == [False, True]
    assert [(w.code, w.segment) for w in document.warnings] == [("fragments_translated_separately", "p1.s1")]
    follows = backend.seen[-1].follows  # the exchange whose answer was kept: the retry's
    assert follows is not None and follows[0].strict and follows[1].endswith("designated size.")


def test_a_sentence_with_no_answer_after_the_retry_is_translated_clause_by_clause() -> None:
    # WMT newstest2019 line 58: qwen-pypi echoed its instructions, then called the text English.
    text = "丸红则表示，贸易战冲击旗下美国谷物部门高鸿 ， 其已暂停在农业方面的金融交易。"
    backend = ScriptedBackend(
        {
            (text, False): "",
            (text, True): "",
            ("丸红则表示，", False): "Marubeni said,",
            ("贸易战冲击旗下美国谷物部门高鸿 ，", False): "the trade war hit its US grain unit 高鸿,",
            (
                "其已暂停在农业方面的金融交易。",
                False,
            ): "which has suspended financial trading in agriculture.",
            ("高鸿", False): "Gavilon",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == (
        "Marubeni said, the trade war hit its US grain unit Gavilon, "
        "which has suspended financial trading in agriculture."
    )
    assert [(source.text, source.strict) for source in backend.seen[2:5]] == [
        ("丸红则表示，", False),
        ("贸易战冲击旗下美国谷物部门高鸿 ，", False),
        ("其已暂停在农业方面的金融交易。", False),
    ]
    assert [w.code for w in document.warnings] == [
        "translated_clause_by_clause",
        "fragments_translated_separately",
    ]


def test_a_sound_answer_is_never_split_into_clauses() -> None:
    text = "丸红则表示，贸易战冲击旗下美国谷物部门。"
    backend = ScriptedBackend(
        {(text, False): "Marubeni said the trade war hit its US grain unit."}, prompted=True
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert len(backend.seen) == 1
    assert document.warnings == ()


def test_a_retry_that_drops_glossary_terms_is_not_kept() -> None:
    text = "福建省新兴产业增长很快，已经成为全省经济的重要支柱。"
    backend = ScriptedBackend(
        {
            (
                text,
                False,
            ): "Fujian Province's 新兴产业增长很快 industries grow fast, a pillar of the economy.",
            (text, True): "The province's 新兴产业增长很快 industries grow fast, a pillar of the economy.",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation.startswith("Fujian Province's")
    assert ("untranslated_text", "p1.s1") in [(w.code, w.segment) for w in document.warnings]


def test_what_a_fragment_pass_can_repair_and_what_needs_a_retry() -> None:
    source = "战略性新兴产业产值已占规上工业比重近50%，成为全市经济增长的重要引擎。"
    assert fragments_will_do(
        source, "Strategic 新兴产业 output is near 50% of industry, an engine of growth.", "zh"
    )
    assert not fragments_will_do(source, "Strategic output is near 50%.", "zh")  # nothing left in Chinese
    assert not fragments_will_do(
        source, "产值已占规上工业比重 is near 50%, an engine of growth.", "zh"
    )  # too long
    assert not fragments_will_do(source, "新兴 产业 已 占 比重 output.", "zh")  # too many, and too short


def test_prompted_pieces_carry_the_first_line_and_the_sentence_before_with_its_english() -> None:
    title, first, second, last = "质量大会召开。", "区长周桂良出席。", "他指出要抓好落实。", "会议结束。"
    backend = ScriptedBackend(
        {
            (title, False): "The quality conference opened.",
            (first, False): "District Mayor Zhou Guiliang attended.",
            (second, False): "他指出要抓好落实.",  # left in Chinese: retried
            (second, True): "He said the work must be done well.",
            (last, False): "The meeting ended.",
        },
        prompted=True,
    )
    document = run(backend, TranslateJob(f"{title}\n{first}{second}\n{last}", "zh"), prompt_context=True)
    asked = {(source.text, source.strict): source for source in backend.seen}
    assert asked[first, False].previous == title and asked[first, False].title == ""
    assert asked[first, False].previous_english == ""  # another paragraph's: not waited for
    in_paragraph = asked[second, False]
    assert (in_paragraph.title, in_paragraph.previous) == (title, first)
    assert in_paragraph.previous_english == "District Mayor Zhou Guiliang attended."
    retried = asked[second, True]
    assert (retried.title, retried.previous, retried.previous_english) == (
        title,
        first,
        "District Mayor Zhou Guiliang attended.",
    )
    assert (asked[last, False].previous, asked[last, False].previous_english) == (second, "")
    assert backend.seen.index(asked[second, False]) > backend.seen.index(asked[first, False])
    assert document.segments[2].translation == "He said the work must be done well."


def test_context_is_off_unless_asked_and_seq2seq_models_never_get_it() -> None:
    backend = ScriptedBackend({}, prompted=True)
    run(backend, TranslateJob("质量大会召开。\n区长周桂良出席。他指出要抓好落实。", "zh"))
    assert all((s.title, s.previous, s.previous_english) == ("", "", "") for s in backend.seen)
    text = "质量大会召开。\n区长周桂良出席。他指出要抓好落实。"
    for prompted, wanted in ((True, False), (False, True)):
        backend = ScriptedBackend({}, prompted=prompted)
        pipeline = TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10, prompt_context=wanted)
        asyncio.run(pipeline.translate(TranslateJob(text, "zh")))
        assert all((s.title, s.previous, s.previous_english) == ("", "", "") for s in backend.seen)


def test_a_dropped_inline_marker_goes_around_the_english_of_its_glossary_term() -> None:
    # qwen-pypi's answer to the sentence of issue 27: the markers dropped; 厦门 is a built-in term.
    text = "会议在<g1>厦门</g1>召开。"
    backend = ScriptedBackend({(text, False): "The meeting was held in Xiamen."}, prompted=True)
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == "The meeting was held in <g1>Xiamen</g1>."
    assert document.segments[0].normalized == text


@pytest.mark.parametrize("prompt_context", [False, True])
def test_words_of_a_lost_marker_pair_are_asked_for_alone_and_get_the_pair(prompt_context: bool) -> None:
    # qwen-pypi's answer: the markers dropped; 粮食产量 is no glossary term.
    text = "今年全市<g1>粮食产量</g1>再创新高。"
    sentence = "This year, the total grain production in the whole city has reached a new high."
    backend = ScriptedBackend(
        {(text, False): sentence, ("粮食产量", False): "Grain production."}, prompted=True
    )
    document = run(backend, TranslateJob(text, "zh"), prompt_context=prompt_context)
    assert document.segments[0].translation == (
        "This year, the total <g1>grain production</g1> in the whole city has reached a new high."
    )
    fragment = backend.seen[-1]
    assert (fragment.text, fragment.context) == ("粮食产量", "今年全市粮食产量再创新高。")


def test_a_pair_the_model_kept_costs_no_second_question() -> None:
    text = "今年全市<g1>粮食产量</g1>再创新高。"
    kept = "This year the city's <g1>grain output</g1> hit a new high."
    backend = ScriptedBackend({(text, False): kept}, prompted=True)
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == kept
    assert [source.text for source in backend.seen] == [text]


# The seed's p2.s4 as qwen-pypi left it, and as it answered the fragment: told the sentence's approved
# renderings, it copied the one of 规上工业; without them it translated 新兴产业 itself.
SEED_P2_S4 = "今年，同安区战略性新兴产业产值已占规上工业比重近50%，高技术产业增加值同比增长24.5%。"
SEED_P2_S4_FIRST = (
    "This year, the strategic新兴产业 in Tong'an District accounted for nearly 50% of the industry above "
    "designated size, and the high-tech industry added value grew by 24.5% year-on-year growth."
)


class CopiesTheGlossary(ScriptedBackend):
    """Answers a fragment with 规上工业's approved rendering when it is shown it, as qwen-pypi did."""

    def reply(self, source: Source) -> Generation:
        text = self._answer(source)
        return Generation(text, 5, raw=text)

    def _answer(self, source: Source) -> str:
        told = dict(source.glossary)
        if source.context and "规上工业" in told:
            return told["规上工业"]
        if source.context:
            return "emerging industries"
        return SEED_P2_S4_FIRST


def test_a_fragment_answered_with_another_terms_english_is_asked_again_without_it() -> None:
    glossary = {"规上工业": "industry above designated size", "同比增长": "year-on-year growth"}
    backend = CopiesTheGlossary({}, prompted=True)
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=400, timeout=10, auto_terms=False)
    document = asyncio.run(pipeline.translate(TranslateJob(SEED_P2_S4, "zh", glossary=glossary)))
    translation = document.segments[0].translation
    assert "strategic emerging industries in Tong'an" in translation
    assert translation.count("designated size") == 1
    asked = [source for source in backend.seen if source.text == "新兴产业"]
    assert [source.context for source in asked] == [SEED_P2_S4, SEED_P2_S4]
    assert ("规上工业", "industry above designated size") in asked[0].glossary
    assert all(term in "战略性新兴产业" for term, _ in asked[1].glossary)  # the fragment's own terms only
    assert asked[0].follows is not None and asked[1].follows is None  # asked again on its own
    [note] = [w.message for w in document.warnings if w.code == "fragments_translated_separately"]
    assert "新兴产业 → emerging industries" in note
    assert "refused" not in note


def test_a_fragment_whose_every_answer_is_invented_stays_in_chinese() -> None:
    class AlwaysRepeats(CopiesTheGlossary):
        def _answer(self, source: Source) -> str:
            return "industry above designated size" if source.context else SEED_P2_S4_FIRST

    backend = AlwaysRepeats({}, prompted=True)
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=400, timeout=10, auto_terms=False)
    document = asyncio.run(pipeline.translate(TranslateJob(SEED_P2_S4, "zh")))
    assert "strategic新兴产业" in document.segments[0].translation
    [note] = [w.message for w in document.warnings if w.code == "fragments_translated_separately"]
    assert "新兴产业: 'industry above designated size' refused" in note
    assert "untranslated_text" in [w.code for w in document.warnings]


def test_a_name_written_as_a_variant_of_its_rendering_is_written_as_approved() -> None:
    text = "区长周桂良参加会议。"
    backend = ScriptedBackend(
        {(text, False): "District Mayor Zhou Gui-liang attended the meeting."}, prompted=True
    )
    document = run(backend, TranslateJob(text, "zh"))
    assert document.segments[0].translation == "District Mayor Zhou Guiliang attended the meeting."
    assert [(w.code, w.segment) for w in document.warnings] == [("names_made_consistent", "p1.s1")]
    assert all(term.applied for term in document.glossary)


def test_a_fragment_without_a_usable_answer_is_asked_once_more() -> None:
    class AnswersInChineseFirst(CopiesTheGlossary):
        def _answer(self, source: Source) -> str:
            if source.context and "规上工业" in dict(source.glossary):
                return "新兴产业"  # the fragment echoed: no usable answer
            return super()._answer(source)

    backend = AnswersInChineseFirst({}, prompted=True)
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=400, timeout=10, auto_terms=False)
    document = asyncio.run(pipeline.translate(TranslateJob(SEED_P2_S4, "zh")))
    assert "strategic emerging industries in Tong'an" in document.segments[0].translation
    assert len([source for source in backend.seen if source.text == "新兴产业"]) == 2


def test_a_fragment_put_in_english_once_takes_the_same_english_later_in_the_document() -> None:
    # The seed's slogan, in p1.s1 and again in p8.s2: qwen-pypi left its second half in Chinese both times.
    first, later = "以“质同道合 益同远行”为主题的大会召开。", "同安区将“质同道合 益同远行”作为精神。"

    class AnswersTheSloganTwoWays(AnsweringBackend):
        def reply(self, source: Source) -> Generation:
            fragments_asked = sum(seen.text == "益同远行" for seen in self.seen)
            text = {
                first: "The conference themed “Quality collaboration，益同远行” was held.",
                later: "Tong'an District takes “Quality collaboration，益同远行” as its spirit.",
                "益同远行": ["Together for a Better Future", "Benefit together, go far"][fragments_asked - 1],
            }[source.text]
            return Generation(text, 5, raw=text)

    backend = AnswersTheSloganTwoWays()
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10, auto_terms=False)
    document = asyncio.run(pipeline.translate(TranslateJob(f"{first}\n\n{later}", "zh")))
    assert [segment.translation for segment in document.segments] == [
        "The conference themed “Quality collaboration, Together for a Better Future” was held.",
        "Tong'an District takes “Quality collaboration, Together for a Better Future” as its spirit.",
    ]
    assert [source.text for source in backend.seen].count("益同远行") == 1  # the second time, no model time
