"""POST /v1/translate through the real app, the real loading code and a tiny Marian model."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.settings import Settings
from service.text.normalize import han_characters, to_simplified
from tests.api.conftest import running_app
from tests.wrappers import WatchAll


def test_seed_document_is_translated_segment_by_segment(client: TestClient, seed_text: str) -> None:
    response = client.post("/v1/translate", json={"text": seed_text})
    assert response.status_code == 200, response.text
    body = response.json()
    document = body["documents"][0]
    segments = document["segments"]
    assert document["source_lang"] == "zh"
    assert document["source_lang_confidence"] > 0.9
    assert sorted({segment["paragraph"] for segment in segments}) == list(range(1, 15))
    ids = [segment["id"] for segment in segments]
    assert len(ids) == len(set(ids))
    assert ids[0] == "p1.s1"
    assert document["annotations_removed"] == 469
    for segment in segments:
        assert "(zh" not in segment["normalized"] and "ǎ)" not in segment["normalized"]
        assert segment["source"] in seed_text
    normalized = "".join(segment["normalized"] for segment in segments)
    assert han_characters(normalized) == han_characters(to_simplified(seed_text))
    empty = {warning["segment"] for warning in document["warnings"] if warning["code"] == "empty_translation"}
    for segment in segments:
        assert segment["translation"] or segment["id"] in empty
    assert len(document["translation"].split("\n")) == 14
    assert body["model"]["profile"] == "tiny"
    assert body["model"]["random_weights"] is True
    assert any(warning["code"] == "random_model" for warning in document["warnings"])


def test_sources_quote_the_input_as_received(client: TestClient) -> None:
    text = "質(zhì)量強區。第二句,很好!\n\n  英文 GDP(GDP)增長24.5%。"
    document = client.post("/v1/translate", json={"text": text}).json()["documents"][0]
    assert [s["source"] for s in document["segments"]] == [
        "質(zhì)量強區。",
        "第二句,很好!",
        "英文 GDP(GDP)增長24.5%。",
    ]
    assert [s["normalized"] for s in document["segments"]] == [
        "质量强区。",
        "第二句，很好！",
        "英文 GDP(GDP)增长24.5%。",
    ]
    assert [s["id"] for s in document["segments"]] == ["p1.s1", "p1.s2", "p2.s1"]


def test_several_texts_are_handled_each_on_its_own(client: TestClient) -> None:
    response = client.post("/v1/translate", json={"texts": ["同安区召开大会。", "市场监管局局长参加会议。"]})
    assert response.status_code == 200
    documents = response.json()["documents"]
    assert len(documents) == 2
    assert [d["segments"][0]["normalized"] for d in documents] == [
        "同安区召开大会。",
        "市场监管局局长参加会议。",
    ]


def test_named_source_language_has_no_confidence(client: TestClient) -> None:
    document = client.post("/v1/translate", json={"text": "同安区。", "source_lang": "zh"}).json()[
        "documents"
    ][0]
    assert document["source_lang"] == "zh"
    assert document["source_lang_confidence"] is None


def test_over_long_sentence_is_cut_but_kept_whole(client: TestClient) -> None:
    sentence = "，".join(["同安区始终坚持工业立区和质量强区战略"] * 30) + "。"
    document = client.post("/v1/translate", json={"text": sentence}).json()["documents"][0]
    assert len(document["segments"]) == 1
    assert document["segments"][0]["normalized"] == sentence
    metrics = client.get("/metrics").text
    pieces = next(line for line in metrics.splitlines() if line.startswith("gazette_batch_sentences_sum"))
    assert float(pieces.split()[1]) >= 5  # the model saw the sentence in budget-sized pieces


def test_glossary_terms_are_reported_for_each_document(client: TestClient) -> None:
    body = {"text": "同安区委副书记、区长周桂良参加会议。", "glossary": {"參加會議": "attended the meeting"}}
    document = client.post("/v1/translate", json=body).json()["documents"][0]
    report = {item["term"]: item for item in document["glossary"]}
    assert set(report) == {"同安区委副书记", "区长", "周桂良", "参加会议"}
    assert all(item["segments"] == ["p1.s1"] for item in report.values())
    # The tiny model's output is noise: no rendering survives, and the report says so.
    assert not any(item["applied"] for item in report.values())
    assert document["segments"][0]["normalized"] == "同安区委副书记、区长周桂良参加会议。"


def test_seq2seq_models_see_placeholders_not_glossary_terms(tiny_settings: Settings) -> None:
    watch = WatchAll()
    with running_app(tiny_settings, wrap_backend=watch) as client:
        client.post(
            "/v1/translate",
            json={"text": "区长周桂良参加会议。", "glossary": {"参加会议": "attended the meeting"}},
        )
    assert watch.models[0].seen == ["ZQX1ZQX2ZQX3。"]
