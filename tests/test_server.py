"""What the composed app applies to every API family: rate limits per caller, CORS only when configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.settings import Settings
from tests.api.conftest import running_app

TEXT = "国务院召开常务会议。"


def settings(tiny_marian_dir: Path, cache: Path, **changes: object) -> Settings:
    base = Settings(profile="tiny", translate_model=str(tiny_marian_dir), model_cache=cache, num_beams=1)
    return base.model_copy(update=changes)


def calls(client: TestClient) -> dict[str, Callable[[], Any]]:
    return {
        "v1": lambda: client.post("/v1/translate", json={"text": TEXT, "source_lang": "zh"}),
        "libretranslate": lambda: client.post("/translate", json={"q": TEXT, "source": "zh", "target": "en"}),
        "deepl": lambda: client.post("/v2/translate", data={"text": TEXT, "target_lang": "EN-GB"}),
    }


def test_each_family_is_rate_limited_per_caller_with_its_own_error_body(
    tiny_marian_dir: Path, tmp_path: Path
) -> None:
    with running_app(settings(tiny_marian_dir, tmp_path, rate_limit=1, rate_burst=3)) as client:
        answers = [call() for call in calls(client).values()]
        assert [answer.status_code for answer in answers] == [200, 200, 200]  # one bucket, three tokens
        refused = {family: call() for family, call in calls(client).items()}
    assert {family: answer.status_code for family, answer in refused.items()} == dict.fromkeys(refused, 429)
    assert all(int(answer.headers["retry-after"]) >= 1 for answer in refused.values())
    assert refused["v1"].json()["error"]["code"] == "rate_limited"
    assert "Slowdown" in refused["libretranslate"].json()["error"]
    assert "Too many requests" in refused["deepl"].json()["message"]


def test_cors_is_off_unless_origins_are_configured(tiny_marian_dir: Path, tmp_path: Path) -> None:
    preflight = {"Origin": "https://newsroom.example", "Access-Control-Request-Method": "POST"}
    with running_app(settings(tiny_marian_dir, tmp_path / "a")) as client:
        plain = client.get("/v1/languages", headers={"Origin": "https://newsroom.example"})
        assert "access-control-allow-origin" not in plain.headers
        assert "access-control-allow-origin" not in client.options("/v1/translate", headers=preflight).headers
    allowed = settings(tiny_marian_dir, tmp_path / "b", cors_origins=["https://newsroom.example"])
    with running_app(allowed) as client:
        answer = client.options("/v1/translate", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://newsroom.example"
        other = client.get("/v1/languages", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_read_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAZETTE_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def test_uploaded_file_names_never_become_paths(
    tiny_marian_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names such as ../../x are data: stored with the job, never a place on disk."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    hostile = ["../../escape-1.txt", "/tmp/escape-2.txt", "..\\\\escape-3.txt", "a/../../escape-4.txt"]
    with running_app(settings(tiny_marian_dir, tmp_path / "cache")) as client:
        for name in hostile:
            upload = [("files", (name, "国务院召开会议。".encode(), "text/plain"))]
            submitted = client.post("/v1/jobs", data={"task": "translate"}, files=upload)
            assert submitted.status_code in (202, 422), submitted.text
            libre = client.post(
                "/translate_file",
                data={"source": "zh", "target": "en"},
                files={"file": (name, "国务院召开会议。".encode())},
            )
            assert libre.status_code < 500, libre.text
            deepl = client.post(
                "/v2/document", data={"target_lang": "EN-GB"}, files={"file": (name, b"\xe5\x9b\xbd")}
            )
            assert deepl.status_code < 500, deepl.text
    escaped = [path for root in (tmp_path, Path("/tmp")) for path in root.rglob("escape-*.txt")]
    assert escaped == []
