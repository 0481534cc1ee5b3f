"""Issue 29: which language a document is, what passes through, and one document's failure in a
request of several (over a fake model: the end-to-end paths are in tests/api/test_mixed_requests.py)."""

from __future__ import annotations

import asyncio

import pytest

from service.pipeline.languages import UNDETERMINED, resolve_language
from service.pipeline.translate import TranslateJob, TranslationPipeline
from service.pipeline.types import EmptyDocument, UnsupportedLanguage
from tests.pipeline.fakes import OneQueue
from tests.pipeline.test_translate import ScriptedBackend


def test_a_named_language_is_trusted_and_an_unknown_one_refused() -> None:
    assert resolve_language("The council met.", "zh") == ("zh", None)
    with pytest.raises(UnsupportedLanguage):
        resolve_language("你好", "xx")


def test_english_and_text_without_a_language_are_found_as_such() -> None:
    assert resolve_language("The State Council met on Monday to discuss the economy.", "auto")[0] == "en"
    assert resolve_language("2022-10-01 12:30", "auto") == (UNDETERMINED, None)


def test_a_line_with_chinese_in_it_is_chinese_when_its_request_is() -> None:
    heading = "GB 18030 一 2022"  # lingua: German, 0.28
    assert resolve_language(heading, "auto") == ("zh", None)  # unsure, and there is Chinese in it
    assert resolve_language(heading, "auto", request_language="zh") == ("zh", None)
    glossed = "Information technology 信息技术 — Chinese coded character set for information interchange"
    assert resolve_language(glossed, "auto")[0] == "en"  # sure of English on its own
    assert resolve_language(glossed, "auto", request_language="zh") == ("zh", None)
    english = "The meeting was chaired by Premier Li Qiang."
    assert resolve_language(english, "auto", request_language="zh")[0] == "en"  # no Chinese in it


def pipeline(backend: ScriptedBackend) -> TranslationPipeline:
    return TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10, auto_terms=False)


def test_a_document_that_fails_on_its_own_does_not_sink_its_siblings() -> None:
    backend = ScriptedBackend({("会议召开。", False): "The meeting was held."}, prompted=False)
    jobs = [TranslateJob("会议召开。"), TranslateJob(" \n "), TranslateJob("Already English here.")]
    done = asyncio.run(pipeline(backend).translate_many(jobs))
    assert [d.translation for d in done] == ["The meeting was held.", "", "Already English here."]
    assert done[1].error is not None and done[1].error.code == "empty_document"
    assert done[0].error is None and done[2].error is None
    assert [w.code for w in done[2].warnings] == ["already_english"]
    assert [source.text for source in backend.seen] == ["会议召开。"]  # nothing else reached the model


def test_a_request_whose_every_document_failed_fails_whole() -> None:
    with pytest.raises(EmptyDocument):
        asyncio.run(pipeline(ScriptedBackend({}, prompted=False)).translate_many([TranslateJob(" ")]))


def test_latin_lines_of_a_chinese_document_cost_no_model_time_and_latin_parts_come_back() -> None:
    opening = "会议召开。国务院常务会议研究部署进一步稳定经济运行的政策措施，强调要坚持深化改革。"
    text = f"{opening}\n\nThe meeting was chaired by Premier Li Qiang.\n\n详见 https://www.gov.cn/a.htm 。"
    backend = ScriptedBackend({("会议召开。", False): "The meeting was held."}, prompted=False)
    [document] = asyncio.run(pipeline(backend).translate_many([TranslateJob(text)]))
    by_paragraph = {segment.paragraph: segment for segment in document.segments}
    assert document.segments[0].translation == "The meeting was held."
    assert by_paragraph[2].translation == "The meeting was chaired by Premier Li Qiang."  # as it came
    assert "https://www.gov.cn/a.htm" in by_paragraph[3].translation  # the model said "?"
    assert "latin_text_restored" in [w.code for w in document.warnings]
    assert "The meeting was chaired" not in " ".join(source.text for source in backend.seen)
