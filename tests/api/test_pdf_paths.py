"""A PDF through every path that takes files, on the tiny model: jobs, LibreTranslate's /translate_file,
DeepL's /v2/document (`gazette batch`: tests/batch/test_pdf_batch.py); it comes back as NAME.docx. A scan, a damaged file and two
uploads that would come back under one name are refused as such, never a 500."""

from __future__ import annotations

import io

import docx
import pytest
from fastapi.testclient import TestClient

from service.jobs.pdf_file import pdf_lines
from tests.api.test_jobs import wait_for
from tests.jobs.pdf_samples import body_paragraphs, scanned_page, two_column_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEEPL_KEY = {"Authorization": "DeepL-Auth-Key any"}


@pytest.fixture(scope="module")
def report() -> bytes:
    return two_column_report(body_paragraphs(3))


def paragraphs_of(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_a_job_gives_the_pdf_back_as_a_docx(client: TestClient, report: bytes) -> None:
    files = {"files": ("报告.pdf", report, "application/pdf")}
    submitted = client.post("/v1/jobs", data={"task": "translate", "source_lang": "zh"}, files=files)
    assert submitted.status_code == 202, submitted.text
    job = wait_for(client, submitted.json()["id"])
    assert job["state"] == "done" and job["files"] == ["报告.pdf"], job
    answer = client.get(f"/v1/jobs/{job['id']}/files/报告.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == DOCX
    assert "filename*=UTF-8''%E6%8A%A5%E5%91%8A.docx" in answer.headers["content-disposition"]
    # One page: its head is not repeated on another page, so it is read as a paragraph too.
    assert len(paragraphs_of(answer.content)) == len(pdf_lines("r.pdf", report)) == 4


def test_a_scan_a_damaged_pdf_and_a_name_taken_twice_are_422s(client: TestClient, report: bytes) -> None:
    for name, data, says in [
        ("scan.pdf", scanned_page(), "no text layer"),
        ("broken.pdf", b"%PDF-1.7\nnothing", "not a readable PDF"),
    ]:
        answer = client.post("/v1/jobs", data={"task": "translate"}, files={"files": (name, data)})
        assert answer.status_code == 422 and says in answer.json()["error"]["message"], answer.text
    twice = [("files", ("a.pdf", report)), ("files", ("a.docx", b"PK"))]
    answer = client.post("/v1/jobs", data={"task": "translate"}, files=twice)
    assert answer.status_code == 422 and "a.docx" in answer.json()["error"]["message"], answer.text


def test_libretranslate_and_deepl_give_a_docx(client: TestClient, report: bytes) -> None:
    fields = {"source": "zh", "target": "en"}
    made = client.post("/translate_file", data=fields, files={"file": ("r.pdf", report)})
    assert made.status_code == 200, made.text
    got = client.get(made.json()["translatedFileUrl"].removeprefix("http://testserver"))
    assert got.status_code == 200 and 'filename="r.docx"' in got.headers["content-disposition"]
    assert len(paragraphs_of(got.content)) == 4
    scan = client.post("/translate_file", data=fields, files={"file": ("s.pdf", scanned_page())})
    assert scan.status_code == 400 and "no text layer" in scan.json()["error"]

    upload = {"target_lang": "EN-US", "source_lang": "ZH", "output_format": "docx"}
    handle = client.post("/v2/document", data=upload, files={"file": ("r.pdf", report)}, headers=DEEPL_KEY)
    assert handle.status_code == 200, handle.text
    key = {"document_key": handle.json()["document_key"]}
    url = f"/v2/document/{handle.json()['document_id']}"
    for _ in range(600):
        if client.post(url, json=key, headers=DEEPL_KEY).json()["status"] in ("done", "error"):
            break
    got = client.post(f"{url}/result", data=key, headers=DEEPL_KEY)
    assert got.status_code == 200 and got.headers["content-type"] == DOCX
    assert len(paragraphs_of(got.content)) == 4
    as_pdf = {**upload, "output_format": "pdf"}
    refused = client.post("/v2/document", data=as_pdf, files={"file": ("r.pdf", report)}, headers=DEEPL_KEY)
    assert refused.status_code == 400
