"""Issue 29 end to end on the tiny model: one odd text does not sink a request; headings, codes, figures,
addresses and English lines come back whole. The tiny model's output is noise, so what is checked is that
each text is answered, nothing is dropped, and the Latin parts and codes come back exactly."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service.text.latin import latin_runs

# A Chinese national standard's opening as it reaches a newsroom: heading, title, clause headings with a
# term's English gloss, a note with figures, an address (written for this test in the standard's shape).
STANDARD = [
    "GB 18030 一 2022",
    "信息技术 中文编码字符集",
    "Information technology—Chinese coded character set",
    "2022-07-19 发布",
    "3.1 字符 character",
    "3.5 保留区 reserved zone",
    "本文件代替 GB 18030-2005，与 GB 18030-2005 相比，增加了 66 个汉字。",
    "详见 https://openstd.samr.gov.cn/bzgk/gb/ 或致函 service@samr.gov.cn 。",
]
ENGLISH_LINE = "Information technology—Chinese coded character set"


def translate(client: TestClient, texts: list[str]) -> list[dict[str, Any]]:
    response = client.post("/v1/translate", json={"texts": texts})
    assert response.status_code == 200, response.text
    documents: list[dict[str, Any]] = response.json()["documents"]
    assert len(documents) == len(texts)
    return documents


def test_the_standard_in_four_line_requests_is_answered_line_by_line(client: TestClient) -> None:
    for start in range(0, len(STANDARD), 4):
        batch = STANDARD[start : start + 4]
        for text, document in zip(batch, translate(client, batch), strict=True):
            assert document["error"] is None and document["translation"], text
            for run in latin_runs(text):
                assert run in document["translation"], (run, document["translation"])
            if text == ENGLISH_LINE:
                assert document["translation"] == text and document["source_lang"] == "en"
            else:
                assert document["source_lang"] == "zh", text


def test_eight_texts_one_english_one_with_nothing_to_translate_six_chinese(client: TestClient) -> None:
    chinese = ["国务院召开常务会议。", "会议强调要坚持深化改革。", "同安区召开质量强区大会。"] * 2
    texts = ["The State Council met on Monday.", "\u200b\u200b", *chinese]
    documents = translate(client, texts)
    codes = [[warning["code"] for warning in document["warnings"]] for document in documents]
    assert "already_english" in codes[0] and documents[0]["translation"] == texts[0]
    assert "nothing_to_translate" in codes[1]
    assert all(document["source_lang"] == "zh" and document["segments"] for document in documents[2:])


def test_an_english_paragraph_inside_a_chinese_document_comes_back_as_it_was(client: TestClient) -> None:
    english = "The meeting was chaired by Premier Li Qiang."
    text = (
        f"国务院召开常务会议，研究部署进一步稳定经济运行的政策措施。\n\n{english}\n\n会议强调要坚持深化改革。"
    )
    [document] = translate(client, [text])
    assert document["source_lang"] == "zh"
    assert [s["translation"] for s in document["segments"] if s["paragraph"] == 2] == [english]


def test_a_summary_request_answers_each_document_on_its_own(client: TestClient) -> None:
    texts = ["The State Council met on Monday.", "同安区召开质量强区大会。"]
    response = client.post("/v1/summarize", json={"texts": texts, "bullets": 1})
    assert response.status_code == 200, response.text
    documents = response.json()["documents"]
    assert [document["source_lang"] for document in documents] == ["en", "zh"]
