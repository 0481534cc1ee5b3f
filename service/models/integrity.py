"""Is a model file in the cache still the one that was pulled and verified? Cheap enough for every start.

A full sha256 of the 1.1 GB qwen-pypi file takes about 1.5 s on this project's 2 cores, a third of the
model's own load time. So the pull, which hashes the file as it writes it, records its size, mtime and
sha256 beside it (`<file>.verified`), and each start compares size and mtime only (microseconds). It hashes
again only where they differ: the file was written to since, copied in by hand, or verified by an older
version that kept no record; a file that still matches gets its record, so the next start is cheap again.
A change that keeps both size and mtime (a disk's bit rot) is not seen this way; the file's own loader
then fails on it, or `gazette models pull PROFILE --force` replaces it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verified:
    sha256: str
    size: int
    mtime_ns: int


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def record_verified(path: Path, sha256: str) -> None:
    """Note that `path`, as it is now, has this sha256. A cache we cannot write to (mounted read-only)
    only costs a hash per start, so a failure here is logged, not raised."""
    stat = path.stat()
    record = Verified(sha256, stat.st_size, stat.st_mtime_ns)
    target = _record_path(path)
    scratch = target.with_name(target.name + ".tmp")
    try:
        scratch.write_text(json.dumps(asdict(record)), encoding="utf-8")
        os.replace(scratch, target)
    except OSError as error:
        log.warning(
            "could not record that %s was verified (%s); it will be hashed on each start", path, error
        )


def forget_verified(path: Path) -> None:
    _record_path(path).unlink(missing_ok=True)


def _recorded(path: Path) -> Verified | None:
    try:
        return Verified(**json.loads(_record_path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # no record, or one we cannot read: hash the file instead


def damage(path: Path, size: int, sha256: str) -> str | None:
    """What is wrong with the file at `path` against the pinned `size` and `sha256`; None if nothing."""
    stat = path.stat()
    if stat.st_size != size:
        return f"it is {stat.st_size:,} bytes where {size:,} are expected (cut short, or overwritten)"
    if _recorded(path) == Verified(sha256, stat.st_size, stat.st_mtime_ns):
        return None
    log.info(
        "checking %s against its pinned sha256 (it changed since it was verified, or has no record)", path
    )
    digest = sha256_of(path)
    if digest != sha256:
        return f"its sha256 is {digest} where {sha256} is expected (changed since it was verified)"
    record_verified(path, digest)
    return None


def recorded_sha256(path: Path) -> str | None:
    """The sha256 recorded when `path` was verified, if the file is still the one verified (same size
    and mtime); None otherwise."""
    record = _recorded(path)
    stat = path.stat()
    if record is None or (record.size, record.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    return record.sha256
