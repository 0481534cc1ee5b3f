"""The database server going away under a running service: `/readyz` says so (503), and requests that
need the database get 503 with Retry-After in their family's body, never a 500. When it is back, so is
the service (a pool's dropped connections are replaced, not used)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.settings import Settings
from tests.api.conftest import running_app
from tests.postgres import PostgresServer, started_or_skipped


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this test's own: it is stopped in the middle."""
    server = started_or_skipped()
    yield server
    server.stop()


def test_an_unreachable_database_is_503_with_retry_after_and_readyz_says_so(
    tiny_settings: Settings, own_postgres: PostgresServer
) -> None:
    settings = tiny_settings.model_copy(update={"db": own_postgres.new_database()})
    body = {"items": [{"id": "a", "text": "会议召开。"}], "source_lang": "zh"}
    with running_app(settings) as client:
        assert client.post("/v1/jobs", json=body).status_code == 202
        own_postgres._ctl("-m", "immediate", "stop")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "database is unreachable" in ready.json()["error"]["message"]
        for response in (
            client.post("/v1/jobs", json=body),
            client.get("/v1/jobs"),
            client.get("/v1/usage"),
            client.post("/v2/glossaries", headers={"Authorization": "DeepL-Auth-Key k"},
                        json={"name": "n", "source_lang": "ZH", "target_lang": "EN", "entries": "a\tb"}),
        ):  # fmt: skip
            assert response.status_code == 503, (response.request.url, response.text)
            assert response.headers["Retry-After"]
        options = f"-k {own_postgres.root} -p {own_postgres.port} -c listen_addresses='' -c fsync=off"
        own_postgres._ctl("-o", options, "-l", str(Path(own_postgres.root) / "log"), "-w", "start")
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/jobs", json=body).status_code == 202
