"""A LibreTranslate or DeepL client that hangs up stops costing the model (issue 23): its queued work is
withdrawn, as /v1's is. Over a real HTTP server, a document held at its first batch, the client gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.compat.inflight import InFlight
from service.gazette import Gazette
from service.server import create_app
from tests.compat.conftest import settings_for
from tests.serving import serving_app
from tests.wrappers import WatchAll

DOCUMENT = "".join(f"第{n}条规定已经发布。" for n in range(40))  # 40 sentences: three batches of 16


@contextmanager
def held_server(
    tiny_marian_dir: Path, cache: Path
) -> Iterator[tuple[str, Gazette, WatchAll, threading.Event]]:
    gate = threading.Event()
    watch = WatchAll(gate)
    settings = settings_for(tiny_marian_dir, cache, max_batch_size=16, batch_linger=0.0)
    engine = Gazette(settings, wrap_backend=watch, run_jobs=False)
    app = create_app(settings, engine)
    gate.set()
    with serving_app(app) as base:
        gate.clear()
        app.state.deepl.in_flight = InFlight(linger=0.2)  # a resend's grace, shortened for the test
        yield base, engine, watch, gate
        gate.set()


def _until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def _hang_up(base: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(base + path, json=body, headers=headers, timeout=httpx.Timeout(10, read=1.5))


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/translate", {"q": DOCUMENT, "source": "zh", "target": "en"}, {}),
        (
            "/v2/translate",
            {"text": [DOCUMENT], "target_lang": "EN-US"},
            {"Authorization": "DeepL-Auth-Key any"},
        ),
    ],
    ids=["libretranslate", "deepl"],
)
def test_a_client_that_hangs_up_has_its_queued_work_withdrawn(
    tiny_marian_dir: Path, tmp_path: Path, path: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    with held_server(tiny_marian_dir, tmp_path) as (base, engine, watch, gate):
        _hang_up(base, path, body, headers)  # gone while its first batch is held in the model
        held = len(watch.models[0].batches[-1])
        _until(lambda: engine.queue_depth() == held)  # the other sentences left the line
        gate.set()
        _until(lambda: engine.queue_depth() == 0)
        time.sleep(0.3)
        assert len(watch.models[0].batches) == 1  # the held batch, and nothing after it
