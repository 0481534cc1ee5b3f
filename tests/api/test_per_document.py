"""Issue 29, more cases: eight mixed texts, Latin lines inside Chinese documents, the WMT23 standard opening."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

CHINESE = [
    "国务院召开常务会议。",
    "同安区召开质量强区大会。",
    "信息技术 中文编码字符集",
    "3.1 字符 character",
    "3.5 保留区 reserved zone",
    "GB 18030 一 2022",
]
ENGLISH = "The State Council announced new measures to support the economy."
EMPTY_AFTER_NORMALISING = "（ ）"  # no letter in it once cleaned


def codes(document: dict[str, object]) -> set[str]:
    warnings = document["warnings"]
    assert isinstance(warnings, list)
    return {notice["code"] for notice in warnings}


def test_eight_texts_give_eight_documents(client: TestClient) -> None:
    texts = [CHINESE[0], ENGLISH, *CHINESE[1:3], EMPTY_AFTER_NORMALISING, *CHINESE[3:]]
    response = client.post("/v1/translate", json={"texts": texts})
    assert response.status_code == 200, response.text
    documents = response.json()["documents"]
    assert len(documents) == 8
    english, empty = documents[1], documents[4]
    assert english["translation"] == ENGLISH and "already_english" in codes(english)
    assert english["source_lang"] == "en" and english["source_lang_confidence"] > 0.5
    assert empty["translation"] == EMPTY_AFTER_NORMALISING and "nothing_to_translate" in codes(empty)
    translated = [d for i, d in enumerate(documents) if i not in (1, 4)]
    assert all(d["source_lang"] == "zh" and d["segments"] for d in translated)
    assert not any(codes(d) & {"already_english", "nothing_to_translate"} for d in translated)


def test_numbers_only_text_is_passed_through(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"text": "12345 67"})
    assert response.status_code == 200
    [document] = response.json()["documents"]
    assert document["translation"] == "12345 67" and document["source_lang"] == "und"
    assert "nothing_to_translate" in codes(document)


def test_explicit_source_lang_is_trusted(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"text": ENGLISH, "source_lang": "zh"})
    assert response.status_code == 200
    [document] = response.json()["documents"]
    assert document["source_lang"] == "zh" and "already_english" not in codes(document)
    # Read as Chinese, it has no Chinese in it: every sentence is kept as written.
    assert document["translation"] == ENGLISH


LATIN_IN_CHINESE = [
    "GB 18030-2022 信息技术 中文编码字符集",
    "详见 https://www.gov.cn/zhengce/2023-01/01/content_123.htm 。\nhttps://www.samr.gov.cn/",
    "联系邮箱：office@sac.gov.cn\noffice@sac.gov.cn",
    "表1 2022年 GDP 121.02 万亿元\n121.02 | 3.0% | 2022",
    "本标准规定了编码。\nThis standard specifies the coded character set.\n本标准适用于信息处理。",
    "术语 terms\ncharacter 字符\nreserved zone",
]


def test_latin_lines_inside_chinese_documents_are_kept_as_written(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"texts": LATIN_IN_CHINESE, "source_lang": "auto"})
    assert response.status_code == 200, response.text
    documents = response.json()["documents"]
    assert len(documents) == len(LATIN_IN_CHINESE)
    for text, document in zip(LATIN_IN_CHINESE, documents, strict=True):
        assert document["source_lang"] == "zh"
        lines = text.split("\n")
        assert len(document["translation"].split("\n")) == len(lines), document  # nothing dropped
        for line in lines:
            if not re.search("[\u4e00-\u9fff]", line):
                assert line in document["translation"].split("\n"), (line, document["translation"])


def test_mixed_heading_lines_are_chinese(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"texts": CHINESE[2:]})
    assert response.status_code == 200, response.text
    documents = response.json()["documents"]
    assert [d["source_lang"] for d in documents] == ["zh"] * 4
    assert all(re.search(r"\S", d["translation"]) for d in documents)


def test_standard_opening_from_wmt23_in_four_line_batches(client: TestClient, eval_dir: Path) -> None:
    """The opening of GB 18030-2022 from WMT23's general test set, when the data dir holds it."""
    sources = sorted((eval_dir / "wmt").glob("*2023*zh*")) if (eval_dir / "wmt").is_dir() else []
    lines = [line for path in sources for line in path.read_text(encoding="utf-8").splitlines()]
    start = next((i for i, line in enumerate(lines) if "18030" in line), None)
    if start is None:
        pytest.skip(f"WMT23 general test set with GB 18030-2022 not in {eval_dir / 'wmt'}")
    opening = [line for line in lines[start : start + 40] if line.strip()]
    for batch in (opening[i : i + 4] for i in range(0, len(opening), 4)):
        response = client.post("/v1/translate", json={"texts": batch})
        assert response.status_code == 200, (batch, response.text)
        documents = response.json()["documents"]
        assert len(documents) == len(batch)
        for line, document in zip(batch, documents, strict=True):
            assert document["translation"].strip(), line
            for figure in re.findall(r"\d+(?:\.\d+)*", line) if "18030" in line else []:
                assert figure in document["translation"] or document["source_lang"] == "zh", line
