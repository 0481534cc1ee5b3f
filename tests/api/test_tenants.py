"""Isolation in /v1 with two keys: another tenant's jobs, files, glossaries and idempotency keys are
answered exactly as unknown ones (the same status and body, an id aside), and lists hold one's own only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.routes import AppState
from service.settings import Settings
from tests.api.conftest import running_app

A = {"X-API-Key": "key-of-a"}
B = {"Authorization": "Bearer key-of-b"}
TEXT = "同安区召开会议。"
UNKNOWN = "0" * 32


@pytest.fixture(scope="module")
def two_keys(tiny_marian_dir: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        profile="tiny",
        translate_model=str(tiny_marian_dir),
        model_cache=tmp_path_factory.mktemp("cache"),
        num_beams=1,
        api_keys=["key-of-a", "key-of-b"],
    )
    with running_app(settings) as client:
        yield client


def finished(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (job := client.get(f"/v1/jobs/{job_id}", headers=A).json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def same_as_unknown(client: TestClient, method: str, path: str, job_id: str) -> None:
    """B asking for A's job gets exactly what asking for a job that does not exist gets."""
    theirs = client.request(method, path.format(job_id), headers=B)
    unknown = client.request(method, path.format(UNKNOWN), headers=B)
    assert theirs.status_code == unknown.status_code == 404, theirs.text
    assert theirs.text.replace(job_id, UNKNOWN) == unknown.text


def test_a_job_and_its_files_are_seen_and_changed_by_their_tenant_only(two_keys: TestClient) -> None:
    assert two_keys.post("/v1/jobs", json={"items": [{"text": TEXT}]}, headers=B).status_code == 202
    upload = {"files": ("notice.txt", TEXT.encode())}
    made = two_keys.post("/v1/jobs", data={"task": "translate"}, files=upload, headers=A)
    assert made.status_code == 202, made.text
    job_id = made.json()["id"]
    finished(two_keys, job_id)
    for method, path in (
        ("GET", "/v1/jobs/{}"),
        ("GET", "/v1/jobs/{}/results"),
        ("GET", "/v1/jobs/{}/files/notice.txt"),
        ("DELETE", "/v1/jobs/{}"),
    ):
        same_as_unknown(two_keys, method, path, job_id)
    assert job_id not in {job["id"] for job in two_keys.get("/v1/jobs", headers=B).json()["jobs"]}
    # Nor does paging from it tell that it exists (B's own, older job would follow it).
    paged = [two_keys.get("/v1/jobs", params={"before": x}, headers=B).json() for x in (job_id, UNKNOWN)]
    assert paged[0] == paged[1] == {"jobs": [], "next_before": None}
    assert job_id in {job["id"] for job in two_keys.get("/v1/jobs", headers=A).json()["jobs"]}
    # B's attempts changed nothing: A still has its job, its results and its file.
    assert two_keys.get(f"/v1/jobs/{job_id}", headers=A).json()["state"] == "done"
    assert two_keys.get(f"/v1/jobs/{job_id}/results", headers=A).text.count("\n") == 1
    assert two_keys.get(f"/v1/jobs/{job_id}/files/notice.txt", headers=A).status_code == 200


def test_a_running_job_cannot_be_cancelled_by_another_tenant(two_keys: TestClient) -> None:
    items = [{"id": f"i{n}", "text": f"第{n}次会议召开。"} for n in range(40)]
    job_id = two_keys.post("/v1/jobs", json={"task": "translate", "items": items}, headers=A).json()["id"]
    same_as_unknown(two_keys, "DELETE", "/v1/jobs/{}", job_id)
    assert finished(two_keys, job_id)["items"]["cancelled"] == 0


def test_a_glossary_id_of_another_tenant_is_unknown_in_translate_and_jobs(two_keys: TestClient) -> None:
    state: AppState = two_keys.app.state.gazette  # type: ignore[attr-defined]
    theirs = state.engine.glossaries.create_now(
        "key-" + "x" * 12, "news", "zh", "en", [("同安区", "Tong'an")]
    )  # a tenant that is neither A nor B
    for path, body in (
        ("/v1/translate", {"text": TEXT, "glossary_id": theirs.id}),
        ("/v1/summarize", {"text": TEXT, "glossary_id": theirs.id}),
        ("/v1/jobs", {"task": "translate", "items": [{"text": TEXT}], "glossary_id": theirs.id}),
    ):
        refused = two_keys.post(path, json=body, headers=A)
        unknown = two_keys.post(path, json=body | {"glossary_id": UNKNOWN}, headers=A)
        assert refused.status_code == unknown.status_code == 404
        assert refused.text.replace(theirs.id, UNKNOWN) == unknown.text


def test_idempotency_keys_are_each_tenants_own(two_keys: TestClient) -> None:
    headers = {"Idempotency-Key": "batch-2026-12-03"}
    body = {"task": "translate", "items": [{"id": "a", "text": TEXT}]}
    first = two_keys.post("/v1/jobs", json=body, headers=A | headers)
    other = two_keys.post("/v1/jobs", json={**body, "source_lang": "zh"}, headers=B | headers)
    assert (first.status_code, other.status_code) == (202, 202)  # B's own job, not a 422 conflict
    assert other.json()["id"] != first.json()["id"] and "idempotent-replayed" not in other.headers
    again = two_keys.post("/v1/jobs", json=body, headers=A | headers)
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"


def test_usage_is_per_tenant(two_keys: TestClient) -> None:
    before = two_keys.get("/v1/usage", headers=B).json()
    assert two_keys.post("/v1/translate", json={"text": TEXT}, headers=A).status_code == 200
    after = two_keys.get("/v1/usage", headers=B).json()
    # B's own job (above) may have been settled meanwhile: reserved then moves to characters.
    used_after = after["characters_used"] + after["characters_reserved"]
    assert used_after == before["characters_used"] + before["characters_reserved"]
    assert after["tenant"] == before["tenant"] and after["tenant"].startswith("key-")
    usage_of_a = two_keys.get("/v1/usage", headers=A).json()
    assert usage_of_a["characters_used"] >= len(TEXT) and usage_of_a["tenant"] != after["tenant"]
    metrics = two_keys.get("/metrics").text
    assert f'gazette_tenant_characters_charged{{tenant="{usage_of_a["tenant"]}"}}' in metrics


def test_without_keys_every_caller_is_the_one_anonymous_tenant(client: TestClient) -> None:
    """Key strings a client makes up create nothing: no tenant, no count, no row of their own."""
    made_up = [{"X-API-Key": f"made-up-{n}"} for n in range(3)]
    assert client.post("/v1/translate", json={"text": TEXT}, headers=made_up[0]).status_code == 200
    seen = [client.get("/v1/usage", headers=headers).json() for headers in made_up]
    assert {usage["tenant"] for usage in seen} == {"anonymous"} and seen[0] == seen[1] == seen[2]
    state: AppState = client.app.state.gazette  # type: ignore[attr-defined]
    assert set(state.access.usage_store.all_usage()) == {"anonymous"}
    assert state.access.key_store.all() == []
