"""`gazette serve` as a user starts it, for tests: a real process on loopback, on the tiny models."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    model_dir: Path, cache: Path, summarize_dir: Path | None = None, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`gazette serve` on the tiny model in its own process, ready; killed on the way out."""
    port = free_port()
    env = {
        **os.environ,
        "GAZETTE_PROFILE": "tiny",
        "GAZETTE_TRANSLATE_MODEL": str(model_dir),
        "GAZETTE_MODEL_CACHE": str(cache),
        **({"GAZETTE_SUMMARIZE_MODEL": str(summarize_dir)} if summarize_dir else {}),
        "HF_ENDPOINT": f"http://127.0.0.1:{free_port()}",
        **{f"GAZETTE_{name.upper()}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _ready(base):
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "gazette serve did not become ready"
            time.sleep(0.2)
        yield base, process
    finally:
        process.kill()
        process.wait(20)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def serving_app(app: Any) -> Iterator[str]:
    """An app built in this process (`create_app(settings, engine)`, to wrap its models) under uvicorn on
    loopback, in a thread, ready: a real HTTP server for clients that make their own connections."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _ready(base):
            assert thread.is_alive(), "the server stopped"
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        yield base
    finally:
        server.should_exit = True
        thread.join(30)
