"""/v1 streamed: a segment event per final segment, progress, bullets, and a result equal to the plain
answer; an error after the stream began is an error event; reading order; the memory answers a second ask."""

from __future__ import annotations

import json
import threading
from typing import Any

from fastapi.testclient import TestClient

from service.settings import Settings
from tests.api.conftest import running_app
from tests.wrappers import WatchAll

DOCUMENT = "厦门市召开大会。\n同安区第2次会议在厦门召开。同安区发布报告。\n会议强调质量第一。"


def events_of(client: TestClient, path: str, body: dict[str, Any], **headers: str) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a streamed answer, in order."""
    events: list[tuple[str, Any]] = []
    with client.stream("POST", path, json=body, headers=headers) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = "message"
        for line in response.iter_lines():
            if line.startswith("event:"):
                kind = line.partition(":")[2].strip()
            elif line.startswith("data:"):
                events.append((kind, json.loads(line.partition(":")[2].strip())))
                kind = "message"
    return events


def test_a_streamed_translation_tells_each_segment_then_the_plain_answer(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"memory": False})
    with running_app(settings) as client:
        events = events_of(client, "/v1/translate", {"text": DOCUMENT, "stream": True})
        plain = client.post("/v1/translate", json={"text": DOCUMENT}).json()
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "result" and "error" not in kinds
    segments = [data for kind, data in events if kind == "segment"]
    result = events[-1][1]
    [document] = result["documents"]
    assert sorted(s["id"] for s in segments) == [s["id"] for s in document["segments"]]
    by_id = {s["id"]: s for s in document["segments"]}
    for segment in segments:
        shown = {name: value for name, value in segment.items() if name not in ("document", "warnings")}
        assert shown == by_id[segment["id"]]
        assert 0 <= segment["confidence"] <= 1  # told as the segment is final, as the answer has it
    # The plain answer, field for field, but its timing (the tiny model's output is deterministic).
    for body in (result, plain):
        body["documents"][0].pop("seconds")
    assert result == plain
    progress = [data for kind, data in events if kind == "progress"]
    assert progress[-1]["done"] == progress[-1]["total"] == len(segments) == 4
    assert [p["done"] for p in progress] == sorted(p["done"] for p in progress)


def test_accept_event_stream_streams_a_summary_with_its_bullets(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"memory": False})
    with running_app(settings) as client:
        events = events_of(
            client,
            "/v1/summarize",
            {"text": DOCUMENT, "bullets": 2, "include_translation": True},
            accept="text/event-stream",
        )
    result = events[-1][1]
    bullets = [data for kind, data in events if kind == "bullet"]
    shipped = result["documents"][0]["bullets"]
    assert sorted(b["text"] for b in bullets) == sorted(b["text"] for b in shipped)
    assert all(set(b) == {"document", "text", "sources", "origin"} for b in bullets)
    assert len([kind for kind, _ in events if kind == "segment"]) == 4


def test_a_failure_after_the_stream_began_is_an_error_event_in_the_usual_envelope(
    tiny_settings: Settings,
) -> None:
    settings = tiny_settings.model_copy(update={"memory": False})
    with running_app(settings, wrap_backend=WatchAll(fail_on="质量")) as client:
        events = events_of(client, "/v1/translate", {"text": DOCUMENT, "stream": True})
        used = client.get("/v1/usage").json()
    assert events[-1][0] == "error"
    assert events[-1][1]["error"]["code"] == "model_error" and events[-1][1]["error"]["message"]
    assert "result" not in [kind for kind, _ in events]
    assert used["characters_used"] == 0 and used["characters_reserved"] == 0  # given back


def _order_behind_a_busy_model(
    client: TestClient, watch: WatchAll, gate: threading.Event, body: dict
) -> list[str]:
    """What the model is given for `body` when all of it waits in line together (behind one sentence
    holding the model), by the scheduler's order alone."""
    watch.models[0].batches.clear()
    blocker = threading.Thread(target=lambda: client.post("/v1/translate", json={"text": "阻塞。"}))
    blocker.start()
    while not watch.models[0].batches:
        threading.Event().wait(0.01)
    sender = threading.Thread(target=lambda: client.post("/v1/translate", json=body))
    sender.start()
    while "gazette_queue_depth 3.0" not in client.get("/metrics").text:
        threading.Event().wait(0.01)
    gate.set()
    for thread in (blocker, sender):
        thread.join(30)
    gate.clear()
    return watch.models[0].seen[1:]


def test_a_streamed_document_is_worked_from_its_top(tiny_settings: Settings) -> None:
    """Shortest first puts the short last sentence first; read from the top, the first goes first."""
    gate = threading.Event()
    watch = WatchAll(gate)
    long_first = "同安区第2次质量强区大会在厦门召开，会议总结了去年的工作并部署了今年的任务。\n短句。"
    settings = tiny_settings.model_copy(update={"memory": False, "max_batch_size": 1})
    with running_app(settings, wrap_backend=watch, wait_ready=False) as client:
        while client.get("/readyz").status_code != 200:
            threading.Event().wait(0.05)
        streamed = _order_behind_a_busy_model(client, watch, gate, {"text": long_first, "stream": True})
        plain = _order_behind_a_busy_model(client, watch, gate, {"text": long_first})
    assert "会议总结" in streamed[0] and streamed[1] == "短句。"
    assert plain[0] == "短句。" and "会议总结" in plain[1]


def test_the_memory_answers_a_document_sent_again_at_no_model_time(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"memory": True})
    watch = WatchAll()
    with running_app(settings, wrap_backend=watch) as client:
        first = client.post("/v1/translate", json={"text": DOCUMENT}).json()["documents"][0]
        watch.models[0].batches.clear()
        again = events_of(client, "/v1/translate", {"text": DOCUMENT, "stream": True})[-1][1]
        assert watch.models[0].seen == []  # nothing went to the model
    [second] = again["documents"]
    assert [s["translation"] for s in second["segments"]] == [s["translation"] for s in first["segments"]]
    assert all(s["memory"] and s["memory_origin"] == "model" for s in second["segments"])
    # A model's entry keeps the confidence it was made with: recalled, it has no log-probabilities.
    assert [s["confidence"] for s in second["segments"]] == [s["confidence"] for s in first["segments"]]
    assert all(s["confidence"] is not None for s in first["segments"])
    assert not any(s["memory"] for s in first["segments"])
    assert second["generated_tokens"] == 0 and second["prompt_tokens"] == 0
