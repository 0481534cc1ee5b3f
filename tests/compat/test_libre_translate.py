"""`POST /translate`, `/detect`, `GET /languages` and `/frontend/settings` as LibreTranslate answers them,
over the real app on the tiny model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.compat.libre_schemas import engine_error
from service.engine.outcomes import BackendFailed, Overloaded, ShuttingDown
from service.pipeline.types import UnsupportedLanguage
from tests.api.conftest import running_app
from tests.compat.conftest import BREAKS, Reply, settings_for

TEXT = "国务院召开常务会议。"


def engine_translation(client: TestClient, text: str) -> str:
    """What the /v1 API gives for the same text: the adapter must hand on exactly this."""
    response = client.post("/v1/translate", json={"text": text, "source_lang": "zh"})
    translation: str = response.json()["documents"][0]["translation"]
    return translation


def error_of(response: Reply, status: int) -> str:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    message: str = body["error"]
    return message


def test_json_form_and_query_string_give_the_engines_translation(client: TestClient) -> None:
    expected = engine_translation(client, TEXT)
    fields = {"q": TEXT, "source": "zh", "target": "en"}
    as_json = client.post("/translate", json=fields)
    as_form = client.post("/translate", data=fields)
    as_query = client.post("/translate", params={**fields, "format": "text"})  # deep-translator's way
    for response in (as_json, as_form, as_query):
        assert response.status_code == 200, response.text
        assert response.json() == {"translatedText": expected}


def test_form_line_endings_become_lf(client: TestClient) -> None:
    fields = {"source": "zh", "target": "en"}
    crlf = client.post("/translate", data={**fields, "q": "第一行。\r\n第二行。"}).json()
    lf = client.post("/translate", json={**fields, "q": "第一行。\n第二行。"}).json()
    assert crlf == lf and crlf["translatedText"].count("\n") == 1


def test_auto_source_reports_the_detected_language(client: TestClient) -> None:
    simplified = client.post("/translate", json={"q": TEXT, "source": "auto", "target": "en"}).json()
    assert simplified == {
        "translatedText": engine_translation(client, TEXT),
        "detectedLanguage": {"confidence": 100.0, "language": "zh"},
    }
    traditional = client.post(
        "/translate", json={"q": "國務院召開常務會議。", "source": "auto", "target": "en"}
    )
    assert traditional.json()["detectedLanguage"] == {"confidence": 100.0, "language": "zt"}


def test_a_list_of_texts_and_alternatives(marked: TestClient) -> None:
    fields = {"q": ["你好。", "學習語言。"], "source": "auto", "target": "en"}
    listed = marked.post("/translate", json=fields).json()
    assert listed == {
        "translatedText": ["EN:你好。", "EN:学习语言。"],
        "detectedLanguage": [
            {"confidence": 100.0, "language": "zh"},
            {"confidence": 100.0, "language": "zt"},
        ],
    }
    asked = marked.post("/translate", json={**fields, "source": "zh", "alternatives": 3}).json()
    assert asked == {"translatedText": ["EN:你好。", "EN:学习语言。"], "alternatives": [[], []]}
    one = marked.post("/translate", data={"q": "你好。", "source": "zh", "target": "en", "alternatives": "1"})
    assert one.json() == {"translatedText": "EN:你好。", "alternatives": []}


def test_plain_text_keeps_its_lines(marked: TestClient) -> None:
    q = "第一段。第二句。\n\n  \n第二段。"
    answer = marked.post("/translate", json={"q": q, "source": "zh", "target": "en"}).json()
    assert answer == {"translatedText": "EN:第一段。 EN:第二句。\n\n  \nEN:第二段。"}


def test_html_keeps_its_markup(marked: TestClient) -> None:
    q = '<p class="lead">你好<b>世界</b>。</p>\n<ul><li>第一</li></ul><script>var a = "中文";</script>尾'
    answer = marked.post("/translate", json={"q": q, "source": "zh", "target": "en", "format": "html"})
    assert answer.json() == {
        "translatedText": '<p class="lead">EN:你好<b>世界</b>。</p>\n'
        '<ul><li>EN:第一</li></ul><script>var a = "中文";</script>EN:尾'
    }
    page = "<!DOCTYPE html><html lang='zh'><head><title>标题</title></head><body><p>正文 &amp; 更多</p></body></html>"
    whole = marked.post("/translate", json={"q": page, "source": "zh", "target": "en", "format": "html"})
    translated = whole.json()["translatedText"]
    assert translated.startswith("<!DOCTYPE html>") and '<html lang="en">' in translated
    assert "<title>EN:标题</title>" in translated and "<p>EN:正文 &amp; 更多</p>" in translated


def test_the_built_in_glossary_applies(marked: TestClient) -> None:
    """LibreTranslate has no glossary field; the built-in one still applies. The seq2seq model is given a
    placeholder for 国务院 and copies it through; the placeholder becomes the approved rendering."""
    answer = marked.post(
        "/translate", json={"q": "国务院召开会议。", "source": "auto", "target": "en"}
    ).json()
    assert answer["translatedText"] == "EN:State Council召开会议。"


@pytest.mark.parametrize("code", ["zh", "ZH", "zh-Hans", "zh-Hant", "zt", "zh-CN", "zh-TW", "zh_CN"])
def test_chinese_codes_clients_send(client: TestClient, code: str) -> None:
    answer = client.post("/translate", json={"q": TEXT, "source": code, "target": "en"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"translatedText": engine_translation(client, TEXT)}


def test_detect(client: TestClient) -> None:
    assert client.post("/detect", data={"q": TEXT}).json() == [{"confidence": 100.0, "language": "zh"}]
    assert client.post("/detect", json={"q": "國務院召開會議。"}).json()[0]["language"] == "zt"
    french = client.post("/detect", json={"q": "Le gouvernement a annoncé de nouvelles mesures aujourd'hui."})
    [best] = french.json()
    assert best["language"] == "fr" and 0 < best["confidence"] <= 100
    assert error_of(client.post("/detect", data={}), 400) == "Invalid request: missing q parameter"


def test_languages_answers_a_get_with_a_form_body(client: TestClient) -> None:
    """libretranslatepy sends `GET /languages` with an (empty) urlencoded body."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = client.request("GET", "/languages", content=b"api_key=x", headers=headers)
    assert response.status_code == 200, response.text
    found = {language["code"]: language for language in response.json()}
    assert found["en"] == {"code": "en", "name": "English", "targets": []}
    assert found["zh"] == {"code": "zh", "name": "Chinese", "targets": ["en"]}
    assert found["zt"]["targets"] == ["en"]
    served = {language["code"] for language in client.get("/v1/languages").json()["source"]}
    assert served <= set(found)


def test_frontend_settings(client: TestClient) -> None:
    settings = client.get("/frontend/settings").json()
    assert settings["charLimit"] == 100_000 and settings["keyRequired"] is False
    assert settings["filesTranslation"] is True and settings["suggestions"] is False
    assert {".txt", ".html", ".docx"} <= set(settings["supportedFilesFormat"])
    assert settings["language"] == {
        "source": {"code": "auto", "name": "Auto Detect"},
        "target": {"code": "en", "name": "English"},
    }


def test_errors_as_libretranslate_writes_them(client: TestClient) -> None:
    fields = {"q": TEXT, "source": "zh", "target": "en"}
    cases = [
        ({"source": "zh", "target": "en"}, "Invalid request: missing q parameter"),
        ({**fields, "q": ""}, "Invalid request: missing q parameter"),
        ({"q": TEXT, "source": "zh"}, "Invalid request: missing target parameter"),
        ({**fields, "target": "fr"}, "fr is not supported"),
        ({**fields, "source": "xx"}, "xx is not supported"),
        ({**fields, "format": "pdf"}, "pdf format is not supported"),
        ({**fields, "alternatives": "many"}, "Invalid request: alternatives parameter is not a number"),
    ]
    for body, message in cases:
        assert error_of(client.post("/translate", json=body), 400) == message
        assert error_of(client.post("/translate", data=body), 400) == message
    invalid = client.post("/translate", content=b"{", headers={"Content-Type": "application/json"})
    assert error_of(invalid, 400) == "Invalid JSON format"
    english = client.post("/translate", json={**fields, "q": "The council met today.", "source": "auto"})
    # Already English: translated to itself, as LibreTranslate does (issue 29).
    assert english.status_code == 200, english.text
    assert english.json()["translatedText"] == "The council met today."


def test_a_model_failure_is_a_500(marked: TestClient) -> None:
    failed = marked.post("/translate", json={"q": f"{BREAKS}。", "source": "zh", "target": "en"})
    assert error_of(failed, 500).startswith("Cannot translate text:")


def test_limits_and_keys(keyed: TestClient) -> None:
    fields = {"q": TEXT, "source": "zh", "target": "en"}
    no_key = "Please contact the server operator to get an API key"
    assert error_of(keyed.post("/translate", json=fields), 403) == no_key
    assert error_of(keyed.post("/translate", json={**fields, "api_key": "guess"}), 403) == "Invalid API key"
    assert error_of(keyed.post("/detect", data={"q": TEXT}), 403) == no_key
    assert keyed.post("/translate", json={**fields, "api_key": "secret"}).status_code == 200
    assert keyed.post("/translate", params={**fields, "api_key": "secret"}).status_code == 200
    assert keyed.post("/detect", data={"q": TEXT, "api_key": "secret"}).status_code == 200
    long = {**fields, "q": "字" * 41, "api_key": "secret"}
    assert (
        error_of(keyed.post("/translate", json=long), 400)
        == "Invalid request: request (41) exceeds text limit (40)"
    )
    many = {**fields, "q": ["一。", "二。", "三。", "四。"], "api_key": "secret"}
    assert (
        error_of(keyed.post("/translate", json=many), 400)
        == "Invalid request: request (4) exceeds text limit (3)"
    )
    assert keyed.get("/languages").status_code == 200  # as LibreTranslate: no key needed
    settings = keyed.get("/frontend/settings").json()
    assert settings["keyRequired"] is True and settings["apiKeys"] is True and settings["charLimit"] == 40


def test_engine_errors_map_to_libretranslate_statuses() -> None:
    overloaded = engine_error(Overloaded(5000, 3))
    assert (overloaded.status, overloaded.headers) == (429, {"Retry-After": "3"})
    assert overloaded.message.startswith("Slowdown:")
    assert engine_error(ShuttingDown("stopping")).status == 503
    assert engine_error(BackendFailed("broken")).status == 500
    assert engine_error(UnsupportedLanguage("no")).status == 400
    assert engine_error(TimeoutError()).status == 504


def test_errors_before_and_outside_the_routes_are_libretranslate_bodies(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by fuzzing (tests/test_fuzz.py): the router's 405, a multipart body that cannot be parsed, and
    an error no route expected came in the /v1 body."""
    assert error_of(client.get("/translate"), 405) == "Method Not Allowed"
    assert error_of(client.put("/detect", json={"q": TEXT}), 405) == "Method Not Allowed"
    broken = client.post("/detect", content=b"\xa5", headers={"Content-Type": "multipart/form-data"})
    assert "multipart" in error_of(broken, 400).lower()

    def broken_languages(*_: object) -> object:
        raise ValueError("a bug")

    monkeypatch.setattr("service.compat.libretranslate.languages_out", broken_languages)
    failed = client.get("/languages")
    assert "Traceback" not in error_of(failed, 500)


def test_a_body_over_the_limit_is_a_libretranslate_413(tiny_marian_dir: Path, tmp_path: Path) -> None:
    with running_app(settings_for(tiny_marian_dir, tmp_path, max_body_bytes=1024)) as small:
        too_large = small.post("/translate", json={"q": "字" * 1000, "source": "zh", "target": "en"})
        assert error_of(too_large, 413) == "the body is over 1024 bytes"
