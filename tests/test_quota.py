"""GAZETTE_CHARACTER_QUOTA: one durable count per key over every API family, charged for work done."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.access import Access, Principal, QuotaExceeded, key_id
from service.api.routes import AppState
from service.db.errors import StoreWriteFailed
from service.gazette import Gazette
from service.server import create_app
from service.settings import Settings
from tests.api.conftest import running_app
from tests.compat.conftest import BREAKS, Marked

KEY = "quota-key-77"
OTHER = "other-key-78"
TEXT = "国务院召开会议。"  # 8 characters


@pytest.fixture(scope="module")
def quota_app(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=tmp_path_factory.mktemp("cache"),
        num_beams=1,
        api_keys=[KEY, OTHER],
        character_quota=20,
    )
    with running_app(settings) as client:
        yield client


def test_the_quota_is_counted_over_every_family_and_refused_in_each_ones_way(quota_app: TestClient) -> None:
    bearer, deepl = {"X-API-Key": KEY}, {"Authorization": f"DeepL-Auth-Key {KEY}"}
    body = {"text": TEXT, "source_lang": "zh"}
    assert quota_app.post("/v1/translate", json=body, headers=bearer).status_code == 200
    assert (
        quota_app.post(
            "/translate", json={"q": TEXT, "source": "zh", "target": "en", "api_key": KEY}
        ).status_code
        == 200
    )
    assert quota_app.get("/v2/usage", headers=deepl).json() == {"character_count": 16, "character_limit": 20}
    # 16 used: 8 more would be 24.
    refused = quota_app.post("/v1/translate", json=body, headers=bearer)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "quota_exceeded"
    libre = quota_app.post("/translate", json={"q": TEXT, "source": "zh", "target": "en", "api_key": KEY})
    assert libre.status_code == 403 and libre.json()["error"].startswith("Quota exceeded")
    assert (
        quota_app.post("/v2/translate", json={"text": [TEXT], "target_lang": "EN"}, headers=deepl).status_code
        == 456
    )
    jobs = quota_app.post(
        "/v1/jobs", json={"task": "translate", "items": [{"id": "a", "text": TEXT}]}, headers=bearer
    )
    assert jobs.status_code == 403
    # Refusals cost nothing, and another key has its own count.
    assert quota_app.get("/v2/usage", headers=deepl).json()["character_count"] == 16
    other = quota_app.post("/v1/translate", json=body, headers={"X-API-Key": OTHER})
    assert other.status_code == 200
    assert (
        quota_app.get("/v2/usage", headers={"Authorization": f"DeepL-Auth-Key {OTHER}"}).json()[
            "character_count"
        ]
        == 8
    )


def test_counts_are_durable_across_restarts(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int]:
        first = Access([KEY], quota=10, db=tmp_path / "usage.sqlite3")
        principal = await first.identify(KEY, None)
        await first.settle(await first.reserve(principal, 10), 6)  # 4 of the 10 given back
        first.close()
        again = Access([KEY, OTHER], quota=10, db=tmp_path / "usage.sqlite3")
        principal = await again.identify(KEY, None)
        with pytest.raises(QuotaExceeded):
            await again.reserve(principal, 5)
        await again.reserve(principal, 4)
        used = (await again.usage(principal)).characters
        other = (await again.usage(await again.identify(OTHER, None))).characters
        again.close()
        return used, other

    assert asyncio.run(scenario()) == (6, 0)


def test_a_count_that_cannot_be_written_fails_the_request_only_under_a_quota(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Under a quota the reservation is a write, and a full disk refuses the work (a 503); without one,
    the work is delivered and the count that could not be written is logged."""

    async def scenario() -> None:
        limited = Access([KEY], quota=10**9, db=tmp_path / "limited.sqlite3")
        free = Access([KEY], db=tmp_path / "free.sqlite3")
        for access in (limited, free):
            access.usage_store.limit_size(0)  # the disk is full
        with pytest.raises(StoreWriteFailed):
            for n in range(1000):
                await limited.reserve(Principal(f"key-{n}", "b", 10**9), 5)
        for m in range(1000):
            async with free.spending(Principal(f"key-{m}", "b"), 5):
                pass
        limited.close()
        free.close()

    asyncio.run(scenario())
    assert "characters used not counted" in caplog.text


def test_a_full_disk_is_a_503_with_retry_after(tiny_marian_dir: Path, tmp_path: Path) -> None:
    settings = Settings(
        profile="tiny", translate_model=str(tiny_marian_dir), model_cache=tmp_path, num_beams=1
    )
    engine = Gazette(settings, run_jobs=False)
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as client:
        engine.glossaries.limit_size(0)
        entries = "".join(f"术语{n}\t{'x' * 2000}\n" for n in range(20))
        glossary = {"name": "big", "source_lang": "ZH", "target_lang": "EN", "entries": entries}
        refused = client.post("/v2/glossaries", json=glossary)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
        assert "disk is full" in refused.json()["message"]
        engine.glossaries.limit_size(None)
        assert client.post("/v2/glossaries", json=glossary).status_code == 201


def ten(n: int) -> str:
    """10 characters (a quota of 60 fits 6 requests), each text its own: identical DeepL requests in
    flight are done, and charged, once (a client's resend)."""
    return f"国务院第{n:02d}次会议。"


@pytest.fixture(scope="module")
def sixty(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=tmp_path_factory.mktemp("cache"),
        num_beams=1,
        api_keys=["v1-key", "libre-key", "deepl-key", "upload-key", "retry-key"],
        character_quota=60,
    )
    with running_app(settings) as client:
        yield client


def _v1(client: TestClient, n: int) -> tuple[int, Any]:
    reply = client.post("/v1/translate", json={"text": ten(n)}, headers={"X-API-Key": "v1-key"})
    return reply.status_code, reply.json()


def _libre(client: TestClient, n: int) -> tuple[int, Any]:
    reply = client.post(
        "/translate", json={"q": ten(n), "source": "zh", "target": "en", "api_key": "libre-key"}
    )
    return reply.status_code, reply.json()


def _deepl(client: TestClient, n: int) -> tuple[int, Any]:
    headers = {"Authorization": "DeepL-Auth-Key deepl-key"}
    reply = client.post("/v2/translate", json={"text": [ten(n)], "target_lang": "EN-GB"}, headers=headers)
    return reply.status_code, reply.json()


@pytest.mark.parametrize(
    ("send", "key", "refusal"),
    [
        (_v1, "v1-key", (403, {"error": {"code": "quota_exceeded"}})),
        (_libre, "libre-key", (403, {"error": "Quota exceeded"})),
        (_deepl, "deepl-key", (456, {"message": "Quota exceeded"})),
    ],
)
def test_32_concurrent_requests_never_spend_past_the_quota(
    sixty: TestClient, send: Callable[[TestClient, int], tuple[int, Any]], key: str, refusal: tuple[int, Any]
) -> None:
    with ThreadPoolExecutor(32) as pool:
        answers = list(pool.map(lambda n: send(sixty, n), range(32)))
    served = [body for status, body in answers if status == 200]
    refused = [body for status, body in answers if status == refusal[0]]
    assert len(served) == 6 and len(refused) == 26, [status for status, _ in answers]
    for body in refused:  # in the family's own body
        assert set(body) == set(refusal[1])
        assert json.dumps(body, ensure_ascii=False).count("Quota exceeded") == 1 or "quota_exceeded" in str(
            body
        )
    usage = sixty.get("/v1/usage", headers={"X-API-Key": key}).json()
    assert (usage["characters_used"], usage["characters_reserved"]) == (60, 0)  # exactly what was served


def test_an_upload_over_what_is_left_is_refused_before_it_is_stored(sixty: TestClient) -> None:
    over = ("notice.txt", ("会议" * 35).encode())  # 70 characters, counted from the parsed file
    refused = [
        sixty.post(
            "/v1/jobs", data={"task": "translate"}, files={"files": over}, headers={"X-API-Key": "upload-key"}
        ),
        sixty.post(
            "/translate_file",
            data={"source": "zh", "target": "en", "api_key": "upload-key"},
            files={"file": over},
        ),
        sixty.post(
            "/v2/document",
            data={"target_lang": "EN-US"},
            files={"file": over},
            headers={"Authorization": "DeepL-Auth-Key upload-key"},
        ),
    ]
    assert [reply.status_code for reply in refused] == [403, 403, 456]
    assert refused[0].json()["error"]["code"] == "quota_exceeded"
    state: AppState = sixty.app.state.gazette  # type: ignore[attr-defined]
    tenant = key_id("upload-key")
    assert asyncio.run(state.engine.jobs.newest(tenant, 10, None)) == []  # nothing stored
    usage = sixty.get("/v1/usage", headers={"X-API-Key": "upload-key"}).json()
    assert (usage["characters_used"], usage["characters_reserved"]) == (0, 0)


def test_a_job_is_charged_for_its_items_done_and_the_rest_given_back(
    tiny_marian_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=tmp_path,
        num_beams=1,
        api_keys=[KEY],
        character_quota=100,
        job_concurrency=1,  # one item a batch: the broken one fails alone
    )
    served, broken = "国务院召开会议。", f"{BREAKS}发生。"
    bearer = {"X-API-Key": KEY}
    with running_app(settings, wrap_backend=Marked) as client:
        body = {"task": "translate", "items": [{"text": served}, {"text": broken}]}
        job = client.post("/v1/jobs", json=body, headers=bearer).json()
        deadline = time.monotonic() + 60
        while client.get(f"/v1/jobs/{job['id']}", headers=bearer).json()["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        while (usage := client.get("/v1/usage", headers=bearer).json())["characters_reserved"]:
            assert time.monotonic() < deadline, usage  # settled once the runner is past the job
            time.sleep(0.05)
        assert usage["characters_used"] == len(served)  # the failed item is not charged


def test_a_retried_submission_is_answered_even_with_the_quota_spent_on_it(sixty: TestClient) -> None:
    """The job took the last characters; the client's retry (same Idempotency-Key, same body) gets it back,
    not a 403."""
    headers = {"X-API-Key": "retry-key", "Idempotency-Key": "nightly"}
    body = {"task": "translate", "items": [{"text": "会议" * 30}]}  # all 60 characters
    first = sixty.post("/v1/jobs", json=body, headers=headers)
    again = sixty.post("/v1/jobs", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202), again.text
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    other = sixty.post("/v1/jobs", json=body, headers=headers | {"Idempotency-Key": "another"})
    assert other.status_code == 403


def test_a_count_kept_by_the_version_before_tenants_is_carried_over(tmp_path: Path) -> None:
    """The usage of a GAZETTE_API_KEYS key, filed then under its key's full digest, becomes its tenant's."""
    path = tmp_path / "gazette.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE key_usage (key_digest TEXT PRIMARY KEY, characters INTEGER NOT NULL)")
        old.execute("INSERT INTO key_usage VALUES (?, 17)", (hashlib.sha256(KEY.encode()).hexdigest(),))
    for _ in range(2):  # once only
        access = Access([KEY], db=path)
        access.start()
        assert asyncio.run(access.usage(asyncio.run(access.identify(KEY, None)))).characters == 17
        access.close()
