"""Phase 2's server: `gazette serve` as a subprocess, with the bench's settings, on a loopback port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.settings import Settings

READY_TIMEOUT = 600.0  # a first start may convert the model to CTranslate2
STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Shutdown:
    seconds: float  # from SIGTERM to the process's exit
    exit_code: int | None  # uvicorn re-raises the signal once it has shut down: -15 is normal
    graceful: bool  # uvicorn logged the end of its shutdown
    killed: bool  # it outlived STOP_TIMEOUT and was killed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(settings: Settings, port: int, scratch: Path) -> dict[str, str]:
    """Every setting as its GAZETTE_* variable, so the server runs exactly what phase 1 measured.

    No API keys (the bench is the only client, on loopback) and a jobs database of its own: a server
    resuming someone's unfinished jobs would skew every figure.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("GAZETTE_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        text = ",".join(value) if isinstance(value, list) else str(value)
        env[f"GAZETTE_{name.upper()}"] = text
    env |= {
        "GAZETTE_HOST": "127.0.0.1",
        "GAZETTE_PORT": str(port),
        "GAZETTE_API_KEYS": "",
        "GAZETTE_DB": str(scratch / "jobs.sqlite3"),
    }
    return env


class ServerProcess:
    def __init__(self, settings: Settings, port: int, scratch: Path) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = scratch / "serve.log"
        command = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command, env=server_environment(settings, port, scratch), stdout=log, stderr=subprocess.STDOUT
            )

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Seconds until /readyz answered 200; raises with the server's log if it exits or never does."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self._process.poll() is not None:
                raise RuntimeError(f"gazette serve exited ({self._process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.2)
        raise RuntimeError(f"gazette serve was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> Shutdown:
        """SIGTERM, as a process manager sends it, timed until the process is gone."""
        started = time.perf_counter()
        self._process.send_signal(signal.SIGTERM)
        try:
            code: int | None = self._process.wait(STOP_TIMEOUT)
            killed = False
        except subprocess.TimeoutExpired:
            self._process.kill()
            code, killed = self._process.wait(), True
        seconds = time.perf_counter() - started
        return Shutdown(seconds, code, "Finished server process" in self.log_tail(), killed)

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


@contextlib.contextmanager
def running_server(settings: Settings, port: int, scratch: Path) -> Iterator[ServerProcess]:
    """A started server; killed on the way out if the bench did not stop it (an error, Ctrl-C)."""
    server = ServerProcess(settings, port, scratch)
    try:
        yield server
    finally:
        server.kill()
