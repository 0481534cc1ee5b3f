"""A throwaway PostgreSQL server for the tests: Debian's binaries, `initdb` in a temporary folder, started
with `pg_ctl` on a free port and a Unix socket in that folder, removed at the end. Never a system service.

PostgreSQL refuses to run as root; a root test run starts it as `nobody` (the folder is given to it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

from service.db import database


def _binaries() -> Path | None:
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(found).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    binaries: Path
    as_user: list[str]

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://gazette@/{name}?host={self.root}&port={self.port}"

    def new_database(self) -> str:
        """A new, empty database; its URL."""
        name = "t" + uuid.uuid4().hex[:12]
        with psycopg.connect(host=str(self.root), port=self.port, user="gazette", dbname="postgres",
                             autocommit=True) as admin:  # fmt: skip
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop(self, url: str) -> None:
        """The pools this process holds on the database closed, and the database dropped."""
        name = url.split("?")[0].rsplit("/", 1)[1]
        with database._Shared.lock:
            for key in [key for key in database._Shared.engines if f"/{name}?" in key]:
                database._Shared.engines.pop(key)[0].dispose()
        with psycopg.connect(host=str(self.root), port=self.port, user="gazette", dbname="postgres",
                             autocommit=True) as admin:  # fmt: skip
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.binaries / "pg_ctl"), "-D", str(self.root / "data"), *args],
                       check=True, capture_output=True, timeout=60)  # fmt: skip

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer | str:
    """A running server, or why there cannot be one here."""
    binaries = _binaries()
    if binaries is None:
        return "PostgreSQL's initdb/pg_ctl not found (Debian: apt-get install postgresql)"
    root = Path(tempfile.mkdtemp(prefix="gazette-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the server runs as nobody, in a folder it owns
        runuser = shutil.which("runuser")
        if runuser is None:
            return "running as root, and no runuser to start PostgreSQL as another user"
        as_user = [runuser, "-u", "nobody", "--"]
        shutil.chown(root, "nobody")
    server = PostgresServer(root, _free_port(), binaries, as_user)
    try:
        subprocess.run([*as_user, str(binaries / "initdb"), "-D", str(root / "data"), "-A", "trust",
                        "-U", "gazette", "--no-sync"], check=True, capture_output=True, timeout=120)  # fmt: skip
        options = (f"-k {root} -p {server.port} -c listen_addresses='' -c fsync=off"
                   " -c max_connections=300 -c shared_buffers=32MB")  # fmt: skip
        server._ctl("-o", options, "-l", str(root / "log"), "-w", "start")
    except (subprocess.SubprocessError, OSError) as error:
        log = (root / "log").read_text(errors="replace")[-2000:] if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        stderr = getattr(error, "stderr", b"") or b""
        return f"PostgreSQL could not be started: {error} {stderr.decode(errors='replace')} {log}"
    return server


def started_or_skipped() -> PostgresServer:
    """A started server; where none can be had, the test skips and says why, or fails under CI (CI=true):
    the stores would otherwise pass CI untested on PostgreSQL."""
    import pytest

    server = start_postgres()
    if isinstance(server, str):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {server}")
        pytest.skip(server)
    return server
