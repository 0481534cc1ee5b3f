"""Shared fixtures: a tiny Marian model built here, the evaluation data, a network-free hub."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.models.tiny import build_tiny_bart, build_tiny_marian
from service.settings import Settings
from tests.models.tiny_nllb import build_tiny_nllb


@pytest.fixture(scope="session")
def tiny_marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer Marian model with a sentencepiece vocabulary trained on 400 lines, saved to disk."""
    return build_tiny_marian(tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def tiny_bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BART model with a byte-level BPE vocabulary, saved to disk: the tiny summariser."""
    return build_tiny_bart(tmp_path_factory.mktemp("tiny-bart"))


@pytest.fixture(scope="session")
def tiny_nllb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer M2M100 model with an NLLB tokenizer (sentencepiece BPE, FLORES codes), saved to disk."""
    return build_tiny_nllb(tmp_path_factory.mktemp("tiny-nllb"))


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    found = Settings().eval_data()
    if found is None:
        pytest.skip("evaluation data not found: set GAZETTE_DATA_DIR or provide ../shared/eval")
    return found


@pytest.fixture(scope="session")
def seed_text(eval_dir: Path) -> str:
    return (eval_dir / "seed" / "seed.zh-Hant-noisy.txt").read_text(encoding="utf-8")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def no_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the hub at a closed loopback port: no test reaches the network, and 'unreachable' is fast."""
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    for name in (
        "GAZETTE_PROFILE",
        "GAZETTE_TRANSLATE_MODEL",
        "GAZETTE_SUMMARIZE_MODEL",
        "GAZETTE_API_KEYS",
        "GAZETTE_MODEL_CACHE",
    ):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def tiny_settings(tiny_marian_dir: Path, tiny_bart_dir: Path, tmp_path: Path) -> Settings:
    return Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        summarize_model=str(tiny_bart_dir),
        model_cache=tmp_path / "cache",
        num_beams=1,
        max_segment_tokens=64,
    )
