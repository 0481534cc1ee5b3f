"""The real app on the tiny models, for the LibreTranslate API: plain, marked (a model that shows what it was
given, so layouts can be checked exactly), and with keys and a small character limit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient

from service.models.backend import Backend, Generation, ModelInfo, Source
from service.settings import Settings
from tests.api.conftest import running_app

BREAKS = "故障"  # the marked model fails on a batch holding this


class Marked:
    """The tiny model loaded as ever, but its output is its input, marked: "EN:" + what it was given.

    A seq2seq model copies the glossary's placeholders through as this one does, so their renderings
    appear in the output; and where each piece of English went can be checked exactly."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner

    @property
    def info(self) -> ModelInfo:
        return self.inner.info

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        if any(BREAKS in source.text for source in sources):
            raise RuntimeError("weights corrupted (simulated)")
        return [Generation(f"EN:{source.text}", 1) for source in sources]


class Reply(Protocol):
    """A response, from the TestClient (whose HTTP package is not httpx) or from httpx alike."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def content(self) -> bytes: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


def deepl_message(response: Reply, status: int) -> str:
    """The message of a DeepL error body, which holds nothing else, after checking the status."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"message"}
    message: str = body["message"]
    return message


def settings_for(tiny_marian_dir: Path, cache: Path, **changes: object) -> Settings:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=cache,
        num_beams=1,
        max_segment_tokens=64,
    )
    return settings.model_copy(update=changes)


@pytest.fixture(scope="module")
def client(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with running_app(settings_for(tiny_marian_dir, tmp_path_factory.mktemp("cache"))) as ready:
        yield ready


@pytest.fixture(scope="module")
def marked(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tiny_marian_dir, tmp_path_factory.mktemp("cache"))
    with running_app(settings, wrap_backend=Marked) as ready:
        yield ready


@pytest.fixture(scope="module")
def keyed(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Keys required (`secret`), 40 characters a text at most, 3 texts a request."""
    cache = tmp_path_factory.mktemp("cache")
    settings = settings_for(tiny_marian_dir, cache, api_keys=["secret"], max_chars=40, max_items=3)
    with running_app(settings) as ready:
        yield ready
