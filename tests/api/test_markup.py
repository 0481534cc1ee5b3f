"""Markup on the tiny model, end to end, through every API family and the jobs: a sentence across an
inline element is one segment, and the element comes back exactly once (the tiny model's English is
noise and keeps no placeholder: the placement by position puts it back)."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import lxml.html
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.test_jobs import wait_for
from tests.jobs.test_docx_runs import runs_of, sentence_docx
from tests.jobs.test_subtitles import SRT, kept_lines
from tests.jobs.test_xlsx_file import workbook
from tests.markup.test_markdown import READMES, kept_parts

SENTENCE = "<p>会议在<b>厦门</b>召开。</p>"
DEEPL_KEY = {"Authorization": "DeepL-Auth-Key any"}


def tag_counts(markup: str) -> Counter[str]:
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    return Counter(element.tag for element in root.iter() if isinstance(element.tag, str))


def one_bold(markup: str) -> None:
    assert markup.count("<b>") == 1 and markup.count("</b>") == 1, markup
    assert tag_counts(markup) == Counter({"div": 1, "p": 1, "b": 1}), markup


def test_v1_html_sentence_is_one_segment_with_its_bold_kept_once(client: TestClient) -> None:
    answer = client.post("/v1/translate", json={"text": SENTENCE, "source_lang": "zh", "format": "html"})
    assert answer.status_code == 200, answer.text
    [document] = answer.json()["documents"]
    [segment] = document["segments"]
    assert segment["source"] == "会议在<g1>厦门</g1>召开。"
    one_bold(document["translation"])
    assert document["translation"].startswith("<p>") and document["translation"].endswith("</p>")


def test_v1_xml_and_plain_text(client: TestClient) -> None:
    xml = '<doc><para id="7">会议在<em role="x">厦门</em>召开。</para></doc>'
    answer = client.post("/v1/translate", json={"text": xml, "source_lang": "zh", "format": "xml"})
    [document] = answer.json()["documents"]
    assert len(document["segments"]) == 1
    translation = document["translation"]
    assert translation.startswith('<doc><para id="7">') and translation.count('<em role="x">') == 1
    plain = client.post("/v1/translate", json={"text": "会议在<b>厦门</b>召开。", "source_lang": "zh"})
    assert plain.json()["documents"][0]["segments"][0]["source"] == "会议在<b>厦门</b>召开。"


def test_v1_malformed_xml_is_a_422(client: TestClient) -> None:
    answer = client.post("/v1/translate", json={"text": "<a>会议", "source_lang": "zh", "format": "xml"})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


def test_libretranslate_and_deepl_keep_the_bold_once(client: TestClient) -> None:
    libre = client.post("/translate", json={"q": SENTENCE, "source": "zh", "target": "en", "format": "html"})
    one_bold(libre.json()["translatedText"])
    body: dict[str, Any] = {"text": [SENTENCE], "target_lang": "EN-GB", "tag_handling": "html"}
    deepl = client.post("/v2/translate", json=body, headers=DEEPL_KEY)
    assert deepl.status_code == 200, deepl.text
    one_bold(deepl.json()["translations"][0]["text"])


def test_a_job_html_file_keeps_the_bold_once(client: TestClient) -> None:
    page = f"<html><body>{SENTENCE}</body></html>".encode()
    files = {"files": ("page.html", page, "text/html")}
    submitted = client.post("/v1/jobs", data={"task": "translate", "source_lang": "zh"}, files=files)
    assert submitted.status_code == 202, submitted.text
    job = wait_for(client, submitted.json()["id"])
    assert job["state"] == "done", job
    translated = client.get(f"/v1/jobs/{job['id']}/files/page.html").text
    assert translated.count("<b>") == 1 and translated.count("</b>") == 1, translated


def test_the_markdown_corpus_through_v1_keeps_code_links_and_html(client: TestClient) -> None:
    sources = [path.read_text(encoding="utf-8") for path in READMES]
    body = {"texts": sources, "source_lang": "zh", "format": "markdown"}
    answer = client.post("/v1/translate", json=body)
    assert answer.status_code == 200, answer.text
    for path, source, document in zip(READMES, sources, answer.json()["documents"], strict=True):
        assert kept_parts(document["translation"]) == kept_parts(source), path.name


def test_a_job_docx_keeps_its_bold_word_bold_once(client: TestClient) -> None:
    data = sentence_docx()
    files = {"files": ("notice.docx", data, "application/octet-stream")}
    submitted = client.post("/v1/jobs", data={"task": "translate", "source_lang": "zh"}, files=files)
    assert submitted.status_code == 202, submitted.text
    job = wait_for(client, submitted.json()["id"])
    assert job["state"] == "done", job
    [result] = client.get(f"/v1/jobs/{job['id']}/results").text.strip().split("\n")
    assert len(json.loads(result)["segments"]) == 1
    runs = runs_of(client.get(f"/v1/jobs/{job['id']}/files/notice.docx").content)
    assert len([text for text, bold in runs if bold]) == 1, runs


def test_a_job_srt_keeps_its_numbers_and_timings(client: TestClient) -> None:
    files = {"files": ("talk.srt", SRT.encode(), "application/x-subrip")}
    submitted = client.post("/v1/jobs", data={"task": "translate", "source_lang": "zh"}, files=files)
    assert submitted.status_code == 202, submitted.text
    job = wait_for(client, submitted.json()["id"])
    assert job["state"] == "done", job
    translated = client.get(f"/v1/jobs/{job['id']}/files/talk.srt").content.decode()
    assert kept_lines(translated) == kept_lines(SRT)


def test_a_job_xliff_gets_its_targets(client: TestClient) -> None:
    data = (Path(__file__).parents[1] / "jobs" / "fixtures" / "notice-1.2.xliff").read_bytes()
    files = {"files": ("notice.xliff", data, "application/xliff+xml")}
    submitted = client.post("/v1/jobs", data={"task": "translate", "source_lang": "zh"}, files=files)
    assert submitted.status_code == 202, submitted.text
    job = wait_for(client, submitted.json()["id"])
    assert job["state"] == "done", job
    translated = client.get(f"/v1/jobs/{job['id']}/files/notice.xliff").content
    assert translated.count(b'<target state="translated">') == 2
    assert translated.count(b'<g id="1" ctype="bold">') == 2  # in the source and in its target


def test_a_job_xlsx_round_trips(client: TestClient) -> None:
    files = {"files": ("data.xlsx", workbook(), "application/octet-stream")}
    submitted = client.post("/v1/jobs", data={"task": "translate", "source_lang": "zh"}, files=files)
    assert submitted.status_code == 202, submitted.text
    job = wait_for(client, submitted.json()["id"])
    assert job["state"] == "done", job
    book = load_workbook(io.BytesIO(client.get(f"/v1/jobs/{job['id']}/files/data.xlsx").content))
    assert book["统计"]["B2"].value == 24.5 and book["统计"]["D2"].value == "=B2*2"
    assert book["统计"]["A1"].value != "地区"
