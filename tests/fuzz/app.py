"""The app that is fuzzed: the real one, on the tiny models, with a key and limits low enough that random
input reaches them (413s, 429s from the job queue) in every API family."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from service.settings import Settings
from tests.api.conftest import running_app
from tests.fuzz.strategies import KEY

MAX_CHARS = 400


def fuzz_settings(marian: Path, bart: Path, cache: Path) -> Settings:
    return Settings(
        profile="tiny",
        translate_model=str(marian),
        summarize_model=str(bart),
        model_cache=cache,
        num_beams=1,
        max_segment_tokens=64,
        api_keys=[KEY],
        max_chars=MAX_CHARS,
        max_items=8,
        max_body_bytes=32_768,
        request_timeout=20,
        batch_linger=0,
        max_job_items=16,
        max_job_chars=4_000,
        max_jobs_queued=8,
    )


@contextmanager
def fuzzed_app(settings: Settings) -> Iterator[TestClient]:
    """The real app (lifespan, job runner), models loaded; server exceptions come back as responses."""
    with running_app(settings) as client:
        yield client
