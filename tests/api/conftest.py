from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from service.engine.registry import BackendWrapper
from service.gazette import Gazette
from service.server import create_app
from service.settings import Settings


@contextmanager
def running_app(
    settings: Settings,
    wait_ready: bool = True,
    wrap_backend: BackendWrapper | None = None,
    run_jobs: bool = True,
) -> Iterator[TestClient]:
    """The real app, lifespan included; waits until the models are loaded. `wrap_backend` instruments
    every model as it loads (to stall it, break it, or record what it is given)."""
    engine = Gazette(settings, wrap_backend=wrap_backend, run_jobs=run_jobs)
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 60
        while wait_ready and client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, client.get("/readyz").json()
            time.sleep(0.05)
        yield client


@pytest.fixture
def client(tiny_settings: Settings) -> Iterator[TestClient]:
    with running_app(tiny_settings) as ready:
        yield ready
