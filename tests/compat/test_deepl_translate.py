"""`POST /v2/translate`, `/v2/languages` and `/v2/usage` as DeepL answers them, over the real app on the tiny
model: fields as JSON or form, keys, limits, the quota, errors, and identical requests in flight done once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.compat.deepl import DeepLState
from service.compat.deepl_schemas import engine_error
from service.engine.outcomes import BackendFailed, Overloaded, QueueTimeout, ShuttingDown, TooMuchWork
from service.pipeline.types import UnsupportedLanguage
from tests.api.conftest import running_app
from tests.compat.conftest import BREAKS, deepl_message, settings_for
from tests.wrappers import WatchAll

TEXT = "国务院召开常务会议。"
KEY_VALUE = "any-key"
KEY = {"Authorization": f"DeepL-Auth-Key {KEY_VALUE}"}
TO_ENGLISH = {"target_lang": "EN-GB"}


def engine_translation(client: TestClient, text: str) -> str:
    """What the /v1 API gives for the same text: the adapter must hand on exactly this."""
    response = client.post("/v1/translate", json={"text": text, "source_lang": "zh"})
    translation: str = response.json()["documents"][0]["translation"]
    return translation


def test_json_and_form_give_the_engines_translation(client: TestClient) -> None:
    expected = engine_translation(client, TEXT)
    one = {"detected_source_language": "ZH", "text": expected, "billed_characters": len(TEXT)}
    as_json = client.post("/v2/translate", json={"text": [TEXT], **TO_ENGLISH}, headers=KEY)
    as_form = client.post("/v2/translate", data={"text": [TEXT, TEXT], "target_lang": "EN-US"}, headers=KEY)
    a_string = client.post("/v2/translate", json={"text": TEXT, "target_lang": "en"}, headers=KEY)
    assert as_json.json() == {"translations": [one]}
    assert as_form.json() == {"translations": [one, one]}
    assert a_string.json() == {"translations": [one]}


@pytest.mark.parametrize("code", ["ZH", "zh", "ZH-HANS", "ZH-HANT", "zh-Hant"])
def test_chinese_source_codes(marked: TestClient, code: str) -> None:
    body = {"text": ["你好。", "學習語言。"], "source_lang": code, **TO_ENGLISH}
    answer = marked.post("/v2/translate", json=body, headers=KEY).json()
    assert [t["text"] for t in answer["translations"]] == ["EN:你好。", "EN:学习语言。"]
    assert [t["detected_source_language"] for t in answer["translations"]] == ["ZH", "ZH"]
    assert [t["billed_characters"] for t in answer["translations"]] == [3, 5]


def test_detection_and_empty_texts(marked: TestClient) -> None:
    body = {"text": ["こんにちは、世界。", "", "국무회의를 열었다."], **TO_ENGLISH}
    answer = marked.post("/v2/translate", json=body, headers=KEY).json()["translations"]
    assert [t["detected_source_language"] for t in answer] == ["JA", "EN", "KO"]
    assert answer[1] == {"detected_source_language": "EN", "text": "", "billed_characters": 0}


def test_lines_and_markup_keep_their_places(marked: TestClient) -> None:
    def translated(text: str, **fields: str) -> str:
        body = {"text": [text], "source_lang": "ZH", **TO_ENGLISH, **fields}
        response = marked.post("/v2/translate", json=body, headers=KEY)
        assert response.status_code == 200, response.text
        result: str = response.json()["translations"][0]["text"]
        return result

    assert translated("第一段。第二句。\n\n第二段。") == "EN:第一段。 EN:第二句。\n\nEN:第二段。"
    html = '<p class="lead">你好<b>世界</b>。</p><script>var a = "中文";</script>'
    assert translated(html, tag_handling="html") == (
        '<p class="lead">EN:你好<b>世界</b>。</p><script>var a = "中文";</script>'
    )
    # Doc holds text beside its children: they are inline, one sentence with them as placeholders.
    xml = '<?xml version="1.0"?><Doc><Para id="1">你好</Para><Keep/>尾</Doc>'
    assert (
        translated(xml, tag_handling="xml")
        == '<?xml version="1.0"?><Doc>EN:<Para id="1">你好</Para><Keep/>尾</Doc>'
    )
    # Elements with no text beside them are blocks: each its own run.
    xml = "<Doc><Title>标题</Title><Para>你好</Para></Doc>"
    assert translated(xml, tag_handling="xml") == "<Doc><Title>EN:标题</Title><Para>EN:你好</Para></Doc>"


def test_options_deepl_clients_send_are_accepted(client: TestClient) -> None:
    expected = engine_translation(client, TEXT)
    options = {
        "split_sentences": "nonewlines",
        "preserve_formatting": True,
        "formality": "prefer_more",
        "context": "会议新闻",
        "show_billed_characters": True,
        "model_type": "quality_optimized",
    }
    answer = client.post("/v2/translate", json={"text": [TEXT], **TO_ENGLISH, **options}, headers=KEY)
    assert answer.json()["translations"][0]["text"] == expected
    form = {
        "text": TEXT,
        **TO_ENGLISH,
        "split_sentences": "0",
        "preserve_formatting": "1",
        "formality": "more",
    }
    assert client.post("/v2/translate", data=form, headers=KEY).json()["translations"][0]["text"] == expected


def test_errors_as_deepl_writes_them(client: TestClient) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({**TO_ENGLISH}, 400, "Parameter 'text' not specified."),
        ({"text": [TEXT]}, 400, "Parameter 'target_lang' not specified."),
        ({"text": [TEXT], "target_lang": "DE"}, 400, "Value for 'target_lang' not supported."),
        ({"text": [TEXT], "target_lang": "EN-AU"}, 400, "Value for 'target_lang' not supported."),
        ({"text": [TEXT], **TO_ENGLISH, "source_lang": "XX"}, 400, "Value for 'source_lang' not supported."),
        ({"text": [TEXT], **TO_ENGLISH, "source_lang": "EN"}, 400, "Value for 'source_lang' not supported."),
        (
            {"text": [TEXT], **TO_ENGLISH, "tag_handling": "json"},
            400,
            "Value for 'tag_handling' not supported.",
        ),
        (
            {"text": [TEXT], **TO_ENGLISH, "split_sentences": "2"},
            400,
            "Value for 'split_sentences' not supported.",
        ),
        ({"text": [TEXT], **TO_ENGLISH, "formality": "polite"}, 400, "Value for 'formality' not supported."),
        (
            {"text": [TEXT], **TO_ENGLISH, "glossary_id": "g"},
            400,
            "Use of a glossary requires the source_lang parameter to be set.",
        ),
        (
            {"text": [TEXT], **TO_ENGLISH, "source_lang": "ZH", "glossary_id": "nope"},
            404,
            "Glossary not found",
        ),
    ]
    for body, status, message in cases:
        assert deepl_message(client.post("/v2/translate", json=body, headers=KEY), status) == message
        assert deepl_message(client.post("/v2/translate", data=body, headers=KEY), status) == message
    invalid = client.post("/v2/translate", content=b"{", headers={**KEY, "Content-Type": "application/json"})
    assert "not valid JSON" in deepl_message(invalid, 400)
    english = client.post(
        "/v2/translate", json={"text": ["The council met today."], **TO_ENGLISH}, headers=KEY
    )
    # Already English: returned as it is, detected as EN, as DeepL does (issue 29).
    assert english.status_code == 200, english.text
    assert english.json()["translations"][0] | {"billed_characters": 0} == {
        "detected_source_language": "EN",
        "text": "The council met today.",
        "billed_characters": 0,
    }
    bad_xml = {"text": ["<a>你好"], **TO_ENGLISH, "tag_handling": "xml"}
    assert "not well-formed XML" in deepl_message(
        client.post("/v2/translate", json=bad_xml, headers=KEY), 400
    )


def test_a_model_failure_is_a_500(marked: TestClient) -> None:
    failed = marked.post("/v2/translate", json={"text": [f"{BREAKS}。"], **TO_ENGLISH}, headers=KEY)
    assert deepl_message(failed, 500).startswith("Internal error:")


def test_keys_and_limits(keyed: TestClient) -> None:
    """Keys required (`secret`), 40 characters a text at most, 3 texts a request."""
    body = {"text": [TEXT], **TO_ENGLISH}
    for headers in ({}, {"Authorization": "DeepL-Auth-Key guess"}, {"Authorization": "secret"}):
        assert deepl_message(keyed.post("/v2/translate", json=body, headers=headers), 403).startswith(
            "Authorization failure"
        )
        assert keyed.get("/v2/languages", headers=headers).status_code == 403
        assert keyed.get("/v2/usage", headers=headers).status_code == 403
    good = {"Authorization": "DeepL-Auth-Key secret"}
    assert keyed.post("/v2/translate", json=body, headers=good).status_code == 200
    long = keyed.post("/v2/translate", json={**body, "text": ["字" * 41]}, headers=good)
    assert "a text of 41 characters; at most 40" in deepl_message(long, 413)
    many = keyed.post("/v2/translate", json={**body, "text": ["一。", "二。", "三。", "四。"]}, headers=good)
    assert "4 texts; at most 3" in deepl_message(many, 413)


def test_languages_as_the_client_asks_for_them(client: TestClient) -> None:
    """The official client sends `type=target` as a form body on a GET."""
    sources = client.get("/v2/languages", headers=KEY).json()
    assert {"language": "ZH", "name": "Chinese"} in sources
    assert {language["language"] for language in sources} >= {"ZH", "JA", "KO"}
    assert "EN" not in {language["language"] for language in sources}
    form = {**KEY, "Content-Type": "application/x-www-form-urlencoded"}
    targets = client.request("GET", "/v2/languages", content=b"type=target", headers=form).json()
    assert targets == [
        {"language": "EN-GB", "name": "English (British)", "supports_formality": False},
        {"language": "EN-US", "name": "English (American)", "supports_formality": False},
    ]
    assert client.get("/v2/languages", params={"type": "target"}, headers=KEY).json() == targets
    assert client.post("/v2/languages", data={"type": "source"}, headers=KEY).json() == sources
    assert (
        deepl_message(client.get("/v2/languages?type=all", headers=KEY), 400)
        == "Value for 'type' not supported."
    )
    pairs = client.get("/v2/glossary-language-pairs", headers=KEY).json()["supported_languages"]
    assert {"source_lang": "zh", "target_lang": "en"} in pairs


@pytest.fixture(scope="module")
def quota(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Two keys of ten characters each; bodies of 1 KiB at most."""
    cache = tmp_path_factory.mktemp("cache")
    settings = settings_for(
        tiny_marian_dir, cache, api_keys=["first", "second"], character_quota=10, max_body_bytes=1024
    )
    with running_app(settings) as ready:
        yield ready


def test_usage_is_counted_per_key_and_the_quota_is_a_456(quota: TestClient) -> None:
    first, second = {"Authorization": "DeepL-Auth-Key first"}, {"Authorization": "DeepL-Auth-Key second"}
    assert quota.get("/v2/usage", headers=first).json() == {"character_count": 0, "character_limit": 10}
    assert (
        quota.post(
            "/v2/translate", json={"text": ["你好。", "世界。"], **TO_ENGLISH}, headers=first
        ).status_code
        == 200
    )
    assert quota.post("/v2/usage", headers=first).json() == {"character_count": 6, "character_limit": 10}
    over = quota.post("/v2/translate", json={"text": ["国务院召开会议。"], **TO_ENGLISH}, headers=first)
    assert deepl_message(over, 456).startswith("Quota exceeded")
    assert quota.get("/v2/usage", headers=second).json()["character_count"] == 0
    assert (
        quota.post(
            "/v2/translate", json={"text": ["国务院召开会议。"], **TO_ENGLISH}, headers=second
        ).status_code
        == 200
    )


def test_an_oversize_body_gets_deepls_error_body(quota: TestClient) -> None:
    response = quota.post("/v2/translate", json={"text": ["字" * 2000], **TO_ENGLISH}, headers=KEY)
    assert "over 1024 bytes" in deepl_message(response, 413)


def test_identical_requests_in_flight_are_translated_once(tiny_marian_dir: Path, tmp_path: Path) -> None:
    """The client's resend (same key, same body) waits for the first request's work instead of queueing the
    same work again; another key's request is its own."""
    gate = threading.Event()
    watch = WatchAll(gate)
    body = {"text": ["重复的请求。"], **TO_ENGLISH}
    settings = settings_for(tiny_marian_dir, tmp_path, api_keys=[KEY_VALUE, "other"])
    with running_app(settings, wrap_backend=watch) as client:
        state: DeepLState = client.app.state.deepl  # type: ignore[attr-defined]
        model = watch.models[0]
        before = len(model.seen)
        with ThreadPoolExecutor(3) as pool:
            first = pool.submit(client.post, "/v2/translate", json=body, headers=KEY)
            _until(lambda: len(model.seen) > before)  # the first is in the model, held at the gate
            resend = pool.submit(client.post, "/v2/translate", json=body, headers=KEY)
            _until(lambda: state.in_flight.joined == 1)
            gate.set()
            answers = [first.result(30), resend.result(30)]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].json() == answers[1].json()
        assert model.seen[before:] == ["重复的请求。"]
        assert client.get("/v2/usage", headers=KEY).json()["character_count"] == 6  # billed once
        other = client.post("/v2/translate", json=body, headers={"Authorization": "DeepL-Auth-Key other"})
        assert other.json() == answers[0].json()
        assert model.seen[before:] == ["重复的请求。"] * 2


def _until(condition: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_engine_errors_map_to_deepl_statuses() -> None:
    overloaded = engine_error(Overloaded(5000, 3))
    assert (overloaded.status, overloaded.headers) == (429, {"Retry-After": "3"})
    assert engine_error(TooMuchWork(900, 300)).status == 413
    assert engine_error(QueueTimeout()).status == 504
    assert engine_error(ShuttingDown("stopping")).status == 503
    assert engine_error(BackendFailed("broken")).status == 500
    assert engine_error(UnsupportedLanguage("no")).status == 400


def test_errors_before_and_outside_the_routes_are_deepl_bodies(client: TestClient) -> None:
    """Found by fuzzing (tests/test_fuzz.py): the router's 404 and 405 under /v2 and a multipart body that
    cannot be parsed came in the /v1 body."""
    assert deepl_message(client.get("/v2/translate"), 405) == "Method Not Allowed"
    assert deepl_message(client.patch("/v2/usage"), 405) == "Method Not Allowed"
    assert deepl_message(client.get("/v2/nowhere"), 404) == "Not Found"
    assert deepl_message(client.get("/v2"), 404) == "Not Found"
    broken = client.post(
        "/v2/translate",
        content=b"{}",
        headers={"Content-Type": "multipart/form-data; boundary=nothing-here"},
    )
    assert "multipart" in deepl_message(broken, 400).lower()
