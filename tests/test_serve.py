"""`gazette serve` as a user starts it: a real process on loopback, the tiny Marian model, the seed."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serving import serving


@pytest.fixture(scope="module")
def server(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("cache")
    with serving(tiny_marian_dir, cache, max_chars="5000", num_beams="1") as (base, _):
        yield base


def test_seed_over_http(server: str, seed_text: str) -> None:
    response = httpx.post(f"{server}/v1/translate", json={"text": seed_text}, timeout=120)
    assert response.status_code == 200, response.text
    document = response.json()["documents"][0]
    assert document["source_lang"] == "zh"
    assert {segment["paragraph"] for segment in document["segments"]} == set(range(1, 15))


def test_32_concurrent_requests_all_succeed(server: str) -> None:
    texts = [f"同安区第{i}次质量强区大会召开。区长周桂良参加会议,增长{i}.5%。" for i in range(32)]

    async def send_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server, timeout=120) as client:
            return await asyncio.gather(*(client.post("/v1/translate", json={"text": t}) for t in texts))

    responses = asyncio.run(send_all())
    assert [response.status_code for response in responses] == [200] * 32
    for text, response in zip(texts, responses, strict=True):
        segments = response.json()["documents"][0]["segments"]
        assert [segment["id"] for segment in segments] == ["p1.s1", "p1.s2"]
        assert segments[0]["source"] == text.split("。")[0] + "。"


def test_error_envelope_over_http(server: str) -> None:
    too_long = httpx.post(f"{server}/v1/translate", json={"text": "字" * 5001})
    form = httpx.post(f"{server}/v1/translate", data={"text": "你好"})
    target = httpx.post(f"{server}/v1/translate", json={"text": "你好", "target_lang": "xx"})
    empty = httpx.post(f"{server}/v1/translate", json={"text": ""})
    for response, code in [(too_long, 413), (form, 415), (target, 422), (empty, 422)]:
        assert response.status_code == code
        assert set(response.json()["error"]) == {"code", "message"}


def test_probes_and_metadata(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    models = httpx.get(f"{server}/v1/models").json()
    assert models["profile"] == "tiny" and models["ready"] is True
    assert {p["name"] for p in models["profiles"]} >= {"opus", "nllb", "qwen-pypi", "tiny"}
    languages = httpx.get(f"{server}/v1/languages").json()
    assert "zh" in {language["code"] for language in languages["source"]}
    assert "gazette_requests_total" in httpx.get(f"{server}/metrics").text
    assert httpx.get(f"{server}/openapi.json").json()["info"]["title"] == "Gazette"


def test_sigterm_answers_waiting_requests_and_exits_within_seconds(
    tiny_marian_dir: Path, tmp_path: Path
) -> None:
    """A long document is being translated when SIGTERM comes: the caller gets a 503 at once and the
    process is gone within 10 s, though the model is mid-batch (its thread is not waited for)."""
    long_document = "".join(f"同安区第{i}次质量强区大会召开，区长周桂良参加会议。" for i in range(400))
    with serving(tiny_marian_dir, tmp_path, backend="transformers", num_beams="4") as (base, process):

        async def translate_then_terminate() -> tuple[httpx.Response, float]:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                request = asyncio.create_task(client.post("/v1/translate", json={"text": long_document}))
                while "gazette_queue_depth 0.0" in (await client.get("/metrics")).text:
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # a batch is generating now
                process.terminate()
                signalled = time.monotonic()
                response = await request
                await asyncio.to_thread(process.wait, 20)
                return response, time.monotonic() - signalled

        response, seconds = asyncio.run(translate_then_terminate())
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "not_ready"
        assert seconds < 10, seconds
        # uvicorn re-raises the signal it caught once it has shut down: the exit status says SIGTERM.
        assert process.returncode in (0, -signal.SIGTERM)
