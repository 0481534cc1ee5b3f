"""`glossary_id` in /v1: a stored glossary (made through /v2/glossaries, or the engine's store) applied to
translations, summaries and jobs; the request's own entries win over it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.routes import AppState
from service.settings import Settings
from tests.api.conftest import running_app

TEXT = "区长周桂良参加会议。"


@pytest.fixture
def stored(tiny_settings: Settings) -> Iterator[tuple[TestClient, str]]:
    with running_app(tiny_settings) as client:
        state: AppState = client.app.state.gazette  # type: ignore[attr-defined]
        made = state.engine.glossaries.create_now(
            "anonymous", "people", "zh", "en", [("周桂良", "Zhou Guiliang"), ("会议", "the meeting")]
        )
        yield client, made.id


def report(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {term["term"]: (term["rendering"], term["origin"]) for term in document["glossary"]}


def test_translate_with_a_stored_glossary(stored: tuple[TestClient, str]) -> None:
    client, glossary_id = stored
    body = {"text": TEXT, "glossary_id": glossary_id}
    document = client.post("/v1/translate", json=body).json()["documents"][0]
    assert report(document)["周桂良"] == ("Zhou Guiliang", "request")
    assert report(document)["会议"] == ("the meeting", "request")
    own = client.post("/v1/translate", json={**body, "glossary": {"会议": "the session"}}).json()[
        "documents"
    ][0]
    assert report(own)["会议"] == ("the session", "request")  # the request's own entry wins
    assert report(own)["周桂良"] == ("Zhou Guiliang", "request")


def test_summarize_with_a_stored_glossary(stored: tuple[TestClient, str]) -> None:
    client, glossary_id = stored
    body = {"text": TEXT, "glossary_id": glossary_id, "include_translation": True, "bullets": 1}
    response = client.post("/v1/summarize", json=body)
    assert response.status_code == 200, response.text
    assert report(response.json()["documents"][0])["周桂良"] == ("Zhou Guiliang", "request")


def test_an_unknown_glossary_is_a_404(stored: tuple[TestClient, str]) -> None:
    client, _ = stored
    for path, body in [
        ("/v1/translate", {"text": TEXT, "glossary_id": "nope"}),
        ("/v1/summarize", {"text": TEXT, "glossary_id": "nope"}),
        ("/v1/jobs", {"items": [{"text": TEXT}], "glossary_id": "nope"}),
    ]:
        response = client.post(path, json=body)
        assert response.status_code == 404, response.text
        assert response.json() == {"error": {"code": "not_found", "message": "no glossary 'nope'"}}


def test_jobs_take_a_stored_glossary(stored: tuple[TestClient, str]) -> None:
    client, glossary_id = stored
    as_json = client.post("/v1/jobs", json={"items": [{"id": "a", "text": TEXT}], "glossary_id": glossary_id})
    as_form = client.post(
        "/v1/jobs",
        data={"glossary_id": glossary_id, "glossary": '{"会议": "the session"}'},
        files={"files": ("a.txt", TEXT.encode())},
    )
    for submitted, meeting in ((as_json, "the meeting"), (as_form, "the session")):
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["id"]
        deadline = time.monotonic() + 30
        while client.get(f"/v1/jobs/{job_id}").json()["state"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        [line] = client.get(f"/v1/jobs/{job_id}/results").text.splitlines()
        record = json.loads(line)
        assert report(record)["周桂良"] == ("Zhou Guiliang", "request")
        assert report(record)["会议"] == (meeting, "request")
