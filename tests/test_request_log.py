"""One JSON line per request, with its id, for every API family; never the text or a key."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.request_log import family_of
from service.settings import Settings
from tests.api.conftest import running_app

KEY = "sekrit-key-4c1d"
TEXT = "国务院召开常务会议。"


@pytest.fixture(scope="module")
def keyed(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=tmp_path_factory.mktemp("cache"),
        num_beams=1,
        api_keys=[KEY],
    )
    with running_app(settings) as client:
        yield client


def lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "gazette.requests"]


def each_family(keyed: TestClient) -> list[httpx.Response]:
    return [
        keyed.post("/v1/translate", json={"text": TEXT, "source_lang": "zh"}, headers={"X-API-Key": KEY}),
        # deep-translator's way: everything, key included, in the query string.
        keyed.post("/translate", params={"q": TEXT, "source": "zh", "target": "en", "api_key": KEY}),
        keyed.post(
            "/v2/translate",
            data={"text": TEXT, "target_lang": "EN-GB"},
            headers={"Authorization": f"DeepL-Auth-Key {KEY}"},
        ),
        keyed.get("/healthz"),
    ]


def test_each_family_gets_a_line_with_an_id_and_no_text_or_key(
    keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answers = each_family(keyed)
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    logged = lines(caplog)
    assert [line["family"] for line in logged] == ["v1", "libretranslate", "deepl", "ops"]
    assert [line["request_id"] for line in logged] == [a.headers["x-request-id"] for a in answers]
    assert [line["route"] for line in logged] == ["/v1/translate", "/translate", "/v2/translate", "/healthz"]
    assert all(line["status"] == 200 and float(str(line["seconds"])) >= 0 for line in logged)
    assert [(line["documents"], line["characters"]) for line in logged[:3]] == [(1, len(TEXT))] * 3
    assert len({line["caller"] for line in logged[:3]}) == 1 and str(logged[0]["caller"]).startswith("key-")
    # Everything the server logged (httpx's own line is the test client's, which sent the URL).
    everything = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert KEY not in everything and TEXT not in everything and "常务" not in everything
    assert all("texts" not in line for line in logged)


def test_the_text_is_logged_only_when_debug_logging_is_asked_for(
    keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    long_text = TEXT * 40
    answer = keyed.post(
        "/v1/translate", json={"text": long_text, "source_lang": "zh"}, headers={"X-API-Key": KEY}
    )
    assert answer.status_code == 200
    [line] = [line for line in lines(caplog) if line["route"] == "/v1/translate"]
    assert line["texts"] == [long_text[:200]]
    assert [line.get("texts") for line in lines(caplog) if line["route"] != "/v1/translate"] == []
    caplog.clear()
    each_family(keyed)
    assert [line.get("texts") for line in lines(caplog)] == [[TEXT], [TEXT], [TEXT], None]
    everything = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert KEY not in everything


def test_a_refused_request_is_logged_too_and_a_sane_client_id_is_kept(
    keyed: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    refused = keyed.post("/v1/translate", json={"text": TEXT}, headers={"X-Request-ID": "trace-42.a_b"})
    assert refused.status_code == 401 and refused.headers["x-request-id"] == "trace-42.a_b"
    odd = keyed.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})
    assert odd.headers["x-request-id"] != "x\r\nSet-Cookie: a=b" and len(odd.headers["x-request-id"]) == 32
    logged = lines(caplog)
    assert (logged[0]["status"], logged[0]["caller"], logged[0]["request_id"]) == (401, None, "trace-42.a_b")


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/v1/translate", "v1"),
        ("/v1/jobs/abc/results", "jobs"),
        ("/v2/glossaries", "deepl"),
        ("/translate_file", "libretranslate"),
        ("/frontend/settings", "libretranslate"),
        ("/metrics", "ops"),
        ("/", "web"),
        ("/static/form.js", "web"),
    ],
)
def test_families(path: str, family: str) -> None:
    assert family_of(path) == family


def test_use_is_counted_per_key_by_its_digest(keyed: TestClient) -> None:
    body = {"text": TEXT, "source_lang": "zh"}
    assert keyed.post("/v1/translate", json=body, headers={"X-API-Key": KEY}).status_code == 200
    exposed = keyed.get("/metrics").text
    counted = [line for line in exposed.splitlines() if line.startswith("gazette_caller_characters_total")]
    assert len(counted) == 1 and counted[0].startswith('gazette_caller_characters_total{caller="key-')
    assert float(counted[0].split()[-1]) >= len(TEXT)
    assert KEY not in exposed
