"""The model raising in the middle of a batch, over HTTP: every caller whose input was in that batch gets
500 `model_error` (none is left waiting, none gets another's output), a batch before it is not touched,
and the next request is served as if nothing had happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import httpx
from fastapi.testclient import TestClient

from service.models.backend import Backend, Generation, Source
from service.settings import Settings
from tests.api.conftest import running_app
from tests.api.test_errors import assert_error
from tests.wrappers import Watched

CALLERS = 4


class BreaksMidBatch(Watched):
    """The real model. Each batch waits at the gate; the first batch of CALLERS inputs or more breaks
    half-way through: the first half is generated, then the model raises."""

    armed = True

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.batches.append([source.text for source in sources])
        self.gate.wait(20)
        if self.armed and len(sources) >= CALLERS:
            self.armed = False
            self.inner.generate(sources[: len(sources) // 2])
            raise RuntimeError("CUDA error: an illegal memory access was encountered (simulated)")
        return self.inner.generate(sources)


class Wrap:
    def __init__(self) -> None:
        self.gate = threading.Event()
        self.models: list[BreaksMidBatch] = []

    def __call__(self, backend: Backend) -> Backend:
        self.models.append(BreaksMidBatch(backend, self.gate))
        return self.models[-1]


def _post_in_thread(client: TestClient, text: str, answers: dict[str, httpx.Response]) -> threading.Thread:
    def post() -> None:
        answers[text] = client.post("/v1/translate", json={"text": text, "source_lang": "zh"})

    thread = threading.Thread(target=post)
    thread.start()
    return thread


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_every_caller_of_a_broken_batch_gets_model_error_and_the_next_request_works(
    tiny_settings: Settings,
) -> None:
    wrap = Wrap()
    settings = tiny_settings.model_copy(update={"request_timeout": 20.0})  # a caller left waiting: 504
    with running_app(settings, wrap_backend=wrap) as client:
        model = wrap.models[0]
        answers: dict[str, httpx.Response] = {}
        # One request holds the model at the gate, so that the callers after it queue up together.
        first = _post_in_thread(client, "同安区召开大会。", answers)
        _wait_for(lambda: len(model.batches) == 1, "the first request reached the model")
        texts = [f"同安区第{n}次会议召开。" for n in range(1, CALLERS + 1)]
        callers = [_post_in_thread(client, text, answers) for text in texts]
        depth = f"gazette_queue_depth {CALLERS + 1}.0"
        _wait_for(lambda: depth in client.get("/metrics").text, "the callers queued behind it")
        wrap.gate.set()
        for thread in (first, *callers):
            thread.join(30)

        assert answers["同安区召开大会。"].status_code == 200  # the batch before: untouched
        # The callers shared the batch that broke (as the model got them: names are placeholders then).
        assert sorted(text[text.index("第") :] for text in model.batches[1]) == sorted(
            text[text.index("第") :] for text in texts
        )
        for text in texts:
            body = assert_error(answers[text], 500, "model_error")
            assert "illegal memory access" in body["error"]["message"]
        started = time.perf_counter()
        after = client.post("/v1/translate", json={"text": "同安区召开大会。", "source_lang": "zh"})
        seconds = time.perf_counter() - started
        assert after.status_code == 200, after.text
        assert after.json()["documents"][0]["translation"]
        assert client.get("/readyz").status_code == 200
    print(f"next request after the fault: {after.status_code} in {seconds * 1000:.0f} ms")
