"""`/v2/document`: an upload becomes a job, its status the job's, its result the job's translated file; the
`document_key` is asked for on every call."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from pathlib import Path
from typing import Any

import docx
from fastapi.testclient import TestClient

from service.compat.deepl import DeepLState
from tests.api.conftest import running_app
from tests.compat.conftest import BREAKS, Reply, deepl_message, settings_for
from tests.wrappers import WatchAll

KEY = {"Authorization": "DeepL-Auth-Key any-key"}
TO_ENGLISH = {"target_lang": "EN-US"}


def upload(client: TestClient, name: str, data: bytes, **fields: str) -> dict[str, str]:
    response = client.post(
        "/v2/document", data={**TO_ENGLISH, **fields}, files={"file": (name, data)}, headers=KEY
    )
    assert response.status_code == 200, response.text
    handle: dict[str, str] = response.json()
    assert set(handle) == {"document_id", "document_key"}
    return handle


def finished(client: TestClient, handle: dict[str, str]) -> dict[str, Any]:
    """The status once it is no longer queued or translating."""
    deadline = time.monotonic() + 30
    while True:
        status = client.post(
            f"/v2/document/{handle['document_id']}",
            json={"document_key": handle["document_key"]},
            headers=KEY,
        )
        assert status.status_code == 200, status.text
        found: dict[str, Any] = status.json()
        if found["status"] in ("done", "error"):
            return found
        assert found["status"] in ("queued", "translating")
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def result(client: TestClient, handle: dict[str, str]) -> Reply:
    url = f"/v2/document/{handle['document_id']}/result"
    return client.post(url, data={"document_key": handle["document_key"]}, headers=KEY)


def test_a_text_file_comes_back_translated(marked: TestClient) -> None:
    handle = upload(marked, "通知.txt", "第一行。\n\n第二行。第二句。\n".encode(), source_lang="ZH")
    assert finished(marked, handle) == {
        "document_id": handle["document_id"],
        "status": "done",
        "billed_characters": 15,
    }
    download = result(marked, handle)
    assert download.status_code == 200, download.text
    assert download.text == "EN:第一行。\n\nEN:第二行。 EN:第二句。\n"
    assert download.headers["content-type"].startswith("text/plain")
    assert "filename*=UTF-8''%E9%80%9A%E7%9F%A5.txt" in download.headers["content-disposition"]


def test_a_docx_file_keeps_its_paragraphs_and_uses_a_glossary(marked: TestClient) -> None:
    made = marked.post(
        "/v2/glossaries",
        json={"name": "g", "source_lang": "ZH", "target_lang": "EN", "entries": "会议\tthe meeting"},
        headers=KEY,
    )
    document = docx.Document()
    document.add_heading("国务院常务会议", level=1)
    document.add_paragraph("会议讨论了经济。")
    packed = io.BytesIO()
    document.save(packed)
    handle = upload(
        marked, "report.docx", packed.getvalue(), source_lang="ZH", glossary_id=made.json()["glossary_id"]
    )
    assert finished(marked, handle)["status"] == "done"
    download = result(marked, handle)
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    translated = docx.Document(io.BytesIO(download.content))
    assert [p.text for p in translated.paragraphs] == [
        "EN:State Council常务the meeting",
        "EN:the meeting讨论了经济。",
    ]


def test_keys_and_unknown_documents(marked: TestClient) -> None:
    handle = upload(marked, "a.txt", "你好。".encode())
    url = f"/v2/document/{handle['document_id']}"
    assert (
        deepl_message(marked.post(url, json={}, headers=KEY), 400)
        == "Parameter 'document_key' not specified."
    )
    assert (
        deepl_message(marked.post(url, json={"document_key": "0" * 64}, headers=KEY), 404)
        == "Document not found"
    )
    wrong = marked.post(f"{url}/result", json={"document_key": "0" * 64}, headers=KEY)
    assert deepl_message(wrong, 404) == "Document not found"
    unknown = marked.post("/v2/document/abc", json={"document_key": handle["document_key"]}, headers=KEY)
    assert deepl_message(unknown, 404) == "Document not found"


def test_a_failed_translation_is_an_error_status(marked: TestClient) -> None:
    handle = upload(marked, "broken.txt", f"{BREAKS}。".encode(), source_lang="ZH")
    status = finished(marked, handle)
    assert status["status"] == "error" and "weights corrupted" in status["error_message"]
    assert deepl_message(result(marked, handle), 400).startswith("Document translation failed:")


def test_upload_errors(client: TestClient) -> None:
    def refused(status: int, files: dict[str, Any] | None, **fields: str) -> str:
        response = client.post("/v2/document", data={**TO_ENGLISH, **fields}, files=files, headers=KEY)
        return deepl_message(response, status)

    text = {"file": ("a.txt", "你好。".encode())}
    assert refused(400, {"file": ("a.odt", b"PK")}) == "Invalid file data: a.odt: file format not supported"
    assert refused(400, {"other": ("a.txt", b"x")}) == "Parameter 'file' not specified."
    assert (
        refused(400, {"file": ("a.txt", b"\n \n")}) == "Invalid file data: the file has no text to translate"
    )
    assert refused(400, text, target_lang="DE") == "Value for 'target_lang' not supported."
    assert refused(400, text, output_format="pdf").startswith("Value for 'output_format' not supported")
    assert refused(404, text, source_lang="ZH", glossary_id="nope") == "Glossary not found"


def test_a_document_not_translated_yet_is_a_503(tiny_marian_dir: Path, tmp_path: Path) -> None:
    """What the client reads as "not ready" while it polls."""
    gate = threading.Event()
    with running_app(settings_for(tiny_marian_dir, tmp_path), wrap_backend=WatchAll(gate)) as client:
        handle = upload(client, "slow.txt", "慢慢翻译。".encode())
        waiting = result(client, handle)
        assert deepl_message(waiting, 503) == "Document not ready"
        status = client.post(
            f"/v2/document/{handle['document_id']}",
            json={"document_key": handle["document_key"]},
            headers=KEY,
        )
        assert status.json()["status"] in ("queued", "translating")
        gate.set()
        assert finished(client, handle)["status"] == "done"
        assert result(client, handle).status_code == 200


def test_without_a_job_store_documents_are_not_taken(tiny_marian_dir: Path, tmp_path: Path) -> None:
    with running_app(settings_for(tiny_marian_dir, tmp_path), run_jobs=False) as client:
        response = client.post(
            "/v2/document", data=TO_ENGLISH, files={"file": ("a.txt", "你好。".encode())}, headers=KEY
        )
        assert "runs no jobs" in deepl_message(response, 400)


def test_a_document_deleted_with_its_job_is_gone_key_included(marked: TestClient) -> None:
    """Retention (or a DELETE through /v1) deletes the job; the document's key goes with it."""
    handle = upload(marked, "gone.txt", "你好。".encode())
    finished(marked, handle)
    state: DeepLState = marked.app.state.deepl  # type: ignore[attr-defined]
    document_id, key = handle["document_id"], handle["document_key"]
    assert asyncio.run(state.store.document_file(document_id, key)) == "gone.txt"
    assert marked.delete(f"/v1/jobs/{document_id}").status_code == 204  # the server has no keys
    assert asyncio.run(state.store.document_file(document_id, key)) is None
    status = marked.post(f"/v2/document/{document_id}", json={"document_key": key}, headers=KEY)
    assert deepl_message(status, 404) == "Document not found"
