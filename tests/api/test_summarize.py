"""POST /v1/summarize through the real app, the real loading code, a tiny Marian and a tiny BART model.

The tiny models' output is noise: the verifier rejects the summariser's bullets, so what ships is the
fallback (compressed extracts of the chosen sentences) — exactly the path these tests exercise.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.pipeline.bullets import MAX_WORDS
from service.settings import Settings
from service.text.normalize import han_characters
from service.text.numbers import unsupported_numbers
from tests.api.conftest import running_app
from tests.models.tiny_causal import build_tiny_qwen


def test_seed_bullets_cite_its_segments_and_keep_only_their_numbers(
    client: TestClient, seed_text: str
) -> None:
    response = client.post("/v1/summarize", json={"text": seed_text, "include_translation": True})
    assert response.status_code == 200, response.text
    body = response.json()
    document = body["documents"][0]
    segments = {segment["id"]: segment for segment in document["segments"]}
    bullets = document["bullets"]
    assert 1 <= len(bullets) <= 5
    for bullet in bullets:
        assert bullet["sources"] and all(source in segments for source in bullet["sources"])
        cited = [segments[source] for source in bullet["sources"]]
        evidence = [s["translation"] for s in cited] + [s["normalized"] for s in cited]
        assert unsupported_numbers(bullet["text"], evidence) == []
        assert not han_characters(bullet["text"]) and len(bullet["text"].split()) <= MAX_WORDS
    # Noise from the tiny BART never passes: every bullet went back once, then fell back.
    assert document["regenerated"] == document["replaced"] + document["dropped"]
    assert document["replaced"] == len(bullets) >= 1
    assert {bullet["origin"] for bullet in bullets} == {"extract"}
    codes = [warning["code"] for warning in document["warnings"]]
    assert "random_model" in codes and "bullet_regenerated" in codes and "bullet_replaced" in codes
    assert document["translation"] and document["glossary"]
    assert body["model"]["summarize"].endswith("tiny-bart0") and body["model"]["templates"] == []
    assert body["model"]["random_weights"] is True


def test_translation_is_left_out_unless_asked_for(client: TestClient) -> None:
    response = client.post(
        "/v1/summarize",
        json={
            "texts": ["同安区召开质量强区大会，周桂良参加会议。", "高技术产业增加值同比增长24.5%。"],
            "bullets": 1,
        },
    )
    assert response.status_code == 200, response.text
    documents = response.json()["documents"]
    assert len(documents) == 2
    for document in documents:
        assert "segments" not in document and "translation" not in document
        assert len(document["bullets"]) <= 1
        assert document["seconds"] > 0


def test_bullets_outside_one_to_ten_are_refused(client: TestClient) -> None:
    for bullets in (0, 11):
        response = client.post("/v1/summarize", json={"text": "同安区召开大会。", "bullets": bullets})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
    # English named as the source: passed through (issue 29), and summarised as it is.
    response = client.post("/v1/summarize", json={"text": "Already English.", "source_lang": "en"})
    [document] = response.json()["documents"]
    assert document["warnings"][0]["code"] == "already_english"


def test_an_instruction_model_summarises_with_its_template_and_names_both(tmp_path: Path) -> None:
    # The tiny random Qwen2 through the real loading code: one model, one queue, two templates.
    settings = Settings(
        profile="qwen-pypi",
        translate_model=str(build_tiny_qwen(tmp_path / "qwen")),
        model_cache=tmp_path / "cache",
        max_segment_tokens=64,
    )
    with running_app(settings) as client:
        response = client.post(
            "/v1/summarize", json={"text": "高技术产业增加值同比增长24.5%。", "bullets": 1}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["model"]["templates"] == ["qwen/translate.v6", "qwen/summarize.v3"]
        assert body["model"]["summarize"] == body["model"]["translate"]
        assert len(client.get("/v1/models").json()["loaded"]) == 1
        document = body["documents"][0]
        assert len(document["bullets"]) + document["dropped"] == 1
