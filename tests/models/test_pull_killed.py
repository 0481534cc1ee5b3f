"""`kill -9` in the middle of a model pull, then the pull again: the chunks staged before the kill are
not downloaded again, and the file it ends with verifies. pip takes the synthetic pack's wheels from a
loopback HTTP index that sends the third one slowly, so that the kill lands while it is arriving."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from service.models.integrity import damage
from service.models.packs import ModelPack, pack_path, pull_pack
from tests.models.fake_packs import fake_pack

CHUNKS = [os.urandom(20_000), os.urandom(20_000), os.urandom(400_000)]
PIECE = 4096


class SlowIndex:
    """A find-links index over loopback: lists the wheels and serves them, the last one slowly while
    `slow` is set; records every wheel requested, and says when the slow one is part-way."""

    def __init__(self, folder: Path) -> None:
        self.requested: list[str] = []
        self.slow = True
        self.part_way = threading.Event()
        handler = partial(_Handler, self, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, index: SlowIndex, *args: Any, **kwargs: Any) -> None:
        self.index = index
        super().__init__(*args, **kwargs)

    def copyfile(self, source: Any, outputfile: Any) -> None:
        name = self.path.rsplit("/", 1)[-1]
        if not name.endswith(".whl"):
            super().copyfile(source, outputfile)
            return
        self.index.requested.append(name)
        slow = self.index.slow and "part3" in name
        sent = 0
        while piece := source.read(PIECE):
            try:
                outputfile.write(piece)
            except (BrokenPipeError, ConnectionResetError):
                return  # the pull was killed while this wheel was arriving: what the test wants
            sent += len(piece)
            if slow and sent >= 10 * PIECE:
                self.index.part_way.set()
            if slow:
                time.sleep(0.05)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test reads `requested`; the log would only clutter pytest's output


@pytest.fixture
def slow_index(tmp_path: Path) -> Iterator[tuple[SlowIndex, ModelPack]]:
    pack = fake_pack(tmp_path / "index", CHUNKS)
    index = SlowIndex(tmp_path / "index")
    thread = threading.Thread(target=index.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index, pack
    finally:
        index.slow = False
        index.server.shutdown()
        index.server.server_close()


PULL = """
import json, sys
from pathlib import Path
from service.models.packs import ModelPack, pull_pack
spec = json.loads(sys.argv[1])
spec["distributions"] = tuple(spec["distributions"])
pull_pack(ModelPack(**spec), Path(sys.argv[2]), pip_args=sys.argv[3:])
"""


def pip_args(index: SlowIndex) -> list[str]:
    return ["--no-index", "--find-links", index.url, "--no-cache-dir"]


def killed_mid_pull(index: SlowIndex, pack: ModelPack, cache: Path) -> None:
    """The pull in its own process group, SIGKILLed (pip with it, as when a machine stops) while the
    third chunk is arriving."""
    command = [sys.executable, "-c", PULL, json.dumps(asdict(pack)), str(cache), *pip_args(index)]
    pull = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert index.part_way.wait(120), pull.communicate(timeout=10)[0].decode()
    finally:
        os.killpg(pull.pid, signal.SIGKILL)
        pull.wait(20)
    assert pull.returncode == -signal.SIGKILL


def test_a_pull_killed_mid_chunk_resumes_without_downloading_staged_chunks(
    slow_index: tuple[SlowIndex, ModelPack], tmp_path: Path
) -> None:
    index, pack = slow_index
    cache = tmp_path / "cache"
    killed_mid_pull(index, pack, cache)
    final = pack_path(pack, cache)
    staging = final.parent / f"{final.name}.chunks"
    # Nothing a start could take for the model: no file at its path, no part-joined file; only staging.
    leftovers = [str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()]
    assert not final.exists() and all(".chunks/" in name for name in leftovers), leftovers
    assert sorted(wheel.name.split("-")[0] for wheel in staging.glob("*.whl")) == [
        "gazette_test_pack_part1",
        "gazette_test_pack_part2",
    ]
    before = list(index.requested)
    assert [name.split("-")[0][-5:] for name in before] == ["part1", "part2", "part3"]

    index.slow = False
    messages: list[str] = []
    started = time.perf_counter()
    path = pull_pack(pack, cache, progress=messages.append, pip_args=pip_args(index))
    seconds = time.perf_counter() - started
    again = index.requested[len(before) :]
    assert [name.split("-")[0][-5:] for name in again] == ["part3"], again
    assert sum("already downloaded" in message for message in messages) == 2
    assert path.read_bytes() == b"".join(CHUNKS)
    assert damage(path, pack.size, pack.sha256) is None
    assert not staging.exists()
    print(f"resumed pull: {seconds:.1f} s, wheels fetched again: {again}")
