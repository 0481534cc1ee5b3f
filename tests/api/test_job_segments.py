"""A one-document job's progress moves sentence by sentence: GET /v1/jobs/{id} reports `segments`."""

from __future__ import annotations

import time
from collections.abc import Sequence

from service.models.backend import Backend, Generation, Source
from service.settings import Settings
from tests.api.conftest import running_app
from tests.wrappers import Watched

DOCUMENT = "".join(f"同安区第{n}次会议在厦门召开。" for n in range(1, 65))


class Slow(Watched):
    """The real model, a little slower per batch: enough for a poll to see the sentences go by."""

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        time.sleep(0.05)
        return super().generate(sources)


def test_a_one_document_job_reports_its_sentences_done_while_it_runs(tiny_settings: Settings) -> None:
    settings = tiny_settings.model_copy(update={"max_batch_size": 4})

    def slow(backend: Backend) -> Backend:
        return Slow(backend)

    with running_app(settings, wrap_backend=slow) as client:
        job = client.post("/v1/jobs", json={"task": "translate", "items": [{"id": "a", "text": DOCUMENT}]})
        assert job.status_code == 202, job.text
        url = f"/v1/jobs/{job.json()['id']}"
        seen: list[tuple[int, int]] = []
        deadline = time.monotonic() + 120
        while (state := client.get(url).json())["state"] in ("queued", "running"):
            assert time.monotonic() < deadline
            if state["segments"] is not None:
                seen.append((state["segments"]["done"], state["segments"]["total"]))
            time.sleep(0.02)
    assert len({done for done, _ in seen}) >= 3, seen
    assert {total for _, total in seen} == {64}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert state["state"] == "done" and state["segments"] is None  # nothing of it in the engine now
