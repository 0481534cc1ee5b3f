"""Isolation in the compatible APIs with two keys: another tenant's uploads, documents and glossaries are
answered exactly as unknown ones, in that family's body; lists hold one's own only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import running_app
from tests.compat.conftest import settings_for

A, B = "key-of-a", "key-of-b"
DEEPL_A = {"Authorization": f"DeepL-Auth-Key {A}"}
DEEPL_B = {"Authorization": f"DeepL-Auth-Key {B}"}
TEXT = "国务院召开会议。"
UNKNOWN = "0" * 32


@pytest.fixture(scope="module")
def two_keys(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tiny_marian_dir, tmp_path_factory.mktemp("cache"), api_keys=[A, B])
    with running_app(settings) as client:
        yield client


def alike(theirs: Any, unknown: Any, their_id: str, status: int) -> None:
    assert theirs.status_code == unknown.status_code == status, theirs.text
    assert theirs.text.replace(their_id, UNKNOWN) == unknown.text


def test_libretranslate_files_are_their_uploaders(two_keys: TestClient) -> None:
    made = two_keys.post(
        "/translate_file",
        data={"source": "zh", "target": "en", "api_key": A},
        files={"file": ("notice.txt", TEXT.encode())},
    )
    assert made.status_code == 200, made.text
    name = made.json()["translatedFileUrl"].rsplit("/", 1)[1]
    job_id = name.split("-", 1)[0]
    assert two_keys.get(f"/download_file/{name}", params={"api_key": A}).status_code == 200
    theirs = two_keys.get(f"/download_file/{name}", params={"api_key": B})
    unknown = two_keys.get(f"/download_file/{name.replace(job_id, UNKNOWN)}", params={"api_key": B})
    alike(theirs, unknown, job_id, 404)
    assert set(theirs.json()) == {"error"}
    # Nor does the job show in /v1 for B.
    assert two_keys.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": B}).status_code == 404


def upload_document(client: TestClient) -> dict[str, str]:
    response = client.post(
        "/v2/document",
        data={"target_lang": "EN-US"},
        files={"file": ("notice.txt", TEXT.encode())},
        headers=DEEPL_A,
    )
    assert response.status_code == 200, response.text
    handle: dict[str, str] = response.json()
    return handle


def test_deepl_documents_are_their_uploaders_even_with_the_key(two_keys: TestClient) -> None:
    handle = upload_document(two_keys)
    document_id, key = handle["document_id"], {"document_key": handle["document_key"]}
    deadline = time.monotonic() + 60
    while two_keys.post(f"/v2/document/{document_id}", json=key, headers=DEEPL_A).json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for path in ("/v2/document/{}", "/v2/document/{}/result"):
        theirs = two_keys.post(path.format(document_id), json=key, headers=DEEPL_B)
        unknown = two_keys.post(path.format(UNKNOWN), json=key, headers=DEEPL_B)
        alike(theirs, unknown, document_id, 404)
        assert set(theirs.json()) == {"message"}
    assert two_keys.post(f"/v2/document/{document_id}/result", json=key, headers=DEEPL_A).status_code == 200


def test_deepl_glossaries_are_their_makers(two_keys: TestClient) -> None:
    body = {"name": "news", "source_lang": "ZH", "target_lang": "EN", "entries": "国务院\tthe State Council"}
    made = two_keys.post("/v2/glossaries", json=body, headers=DEEPL_A)
    assert made.status_code == 201, made.text
    glossary_id = made.json()["glossary_id"]
    assert [
        g["glossary_id"] for g in two_keys.get("/v2/glossaries", headers=DEEPL_A).json()["glossaries"]
    ] == [glossary_id]
    assert two_keys.get("/v2/glossaries", headers=DEEPL_B).json() == {"glossaries": []}
    for method, path in (
        ("GET", "/v2/glossaries/{}"),
        ("GET", "/v2/glossaries/{}/entries"),
        ("DELETE", "/v2/glossaries/{}"),
    ):
        theirs = two_keys.request(method, path.format(glossary_id), headers=DEEPL_B)
        unknown = two_keys.request(method, path.format(UNKNOWN), headers=DEEPL_B)
        alike(theirs, unknown, glossary_id, 404)
    use = {"text": [TEXT], "source_lang": "ZH", "target_lang": "EN-GB"}
    theirs = two_keys.post("/v2/translate", json=use | {"glossary_id": glossary_id}, headers=DEEPL_B)
    unknown = two_keys.post("/v2/translate", json=use | {"glossary_id": UNKNOWN}, headers=DEEPL_B)
    alike(theirs, unknown, glossary_id, 404)
    # B's delete did nothing; A still uses it, from DeepL and from /v1 and its jobs.
    assert two_keys.get(f"/v2/glossaries/{glossary_id}", headers=DEEPL_A).status_code == 200
    assert (
        two_keys.post("/v2/translate", json=use | {"glossary_id": glossary_id}, headers=DEEPL_A).status_code
        == 200
    )
    v1 = {"text": TEXT, "glossary_id": glossary_id}
    assert two_keys.post("/v1/translate", json=v1, headers={"X-API-Key": A}).status_code == 200
    assert two_keys.post("/v1/translate", json=v1, headers={"X-API-Key": B}).status_code == 404
    job = {"task": "translate", "items": [{"text": TEXT}], "glossary_id": glossary_id}
    assert two_keys.post("/v1/jobs", json=job, headers={"X-API-Key": A}).status_code == 202
    assert two_keys.post("/v1/jobs", json=job, headers={"X-API-Key": B}).status_code == 404
