"""Two `gazette serve` processes on one PostgreSQL database (tests/postgres.py): a 600-item job submitted
to one is worked by both, never more than its concurrency at once over the two; the first is killed with
SIGKILL mid-job and the second finishes it, every item recorded exactly once; a glossary made on the first
is used on the second; usage is one count. A tenant's small job is not held behind another's large one on
either replica."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from service.cli import main
from tests.postgres import PostgresServer
from tests.serving import serving

ITEMS = 600
LEASE = 4  # seconds: the dead replica's items are the other's this long after its last heartbeat
CONCURRENCY = 4  # items of the job leased at once, over both replicas together
AUTH = {"Authorization": "DeepL-Auth-Key any-key"}


def _job(base: str, job_id: str, key: str | None = None) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    job: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", headers=auth, timeout=10).json()
    return job


def _leases(url: str, job_id: str) -> list[str]:
    """The owner of each live lease on the job's items now."""
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT lease_owner FROM items WHERE job_id = %s AND state = 'pending'"
            " AND lease_until >= extract(epoch FROM now())", (job_id,),
        ).fetchall()  # fmt: skip
    return [row[0] for row in rows]


def _shared_glossary_and_usage(first: str, second: str) -> None:
    made = httpx.post(f"{first}/v2/glossaries", headers=AUTH, timeout=30, json={
        "name": "news", "source_lang": "ZH", "target_lang": "EN", "entries": "同安区\tTong'an District"})  # fmt: skip
    assert made.status_code == 201, made.text
    used = httpx.post(f"{second}/v1/translate", timeout=60, json={
        "text": "同安区召开会议。", "source_lang": "zh", "glossary_id": made.json()["glossary_id"]})  # fmt: skip
    assert used.status_code == 200, used.text
    assert [g["term"] for g in used.json()["documents"][0]["glossary"]] == ["同安区"]
    # Counted once, in the database: either replica tells the same
    counted = [
        httpx.get(f"{base}/v1/usage", timeout=10).json()["characters_used"] for base in (first, second)
    ]
    assert counted[0] == counted[1] == len("同安区召开会议。")


def test_two_replicas_share_a_job_and_the_survivor_finishes_it(
    tiny_marian_dir: Path, tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database()
    items = [{"id": f"n{n}", "text": f"同安区第{n}次质量强区大会召开。"} for n in range(ITEMS)]
    settings = {
        "db": url,
        "num_beams": "1",
        "max_job_items": str(ITEMS),
        "lease_seconds": str(LEASE),
        "job_concurrency": str(CONCURRENCY),
    }
    with serving(tiny_marian_dir, tmp_path / "a", **settings) as (first, process), \
            serving(tiny_marian_dir, tmp_path / "b", **settings) as (second, _):  # fmt: skip
        _shared_glossary_and_usage(first, second)
        response = httpx.post(f"{first}/v1/jobs", json={"items": items, "source_lang": "zh"}, timeout=30)
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        seen: set[str] = set()
        deadline = time.monotonic() + 180
        while _job(second, job_id)["items"]["done"] < ITEMS // 4:
            assert time.monotonic() < deadline, _job(second, job_id)
            leases = _leases(url, job_id)
            assert len(leases) <= CONCURRENCY, f"the job's concurrency holds over both replicas: {leases}"
            seen |= set(leases)
            time.sleep(0.05)
        assert len(seen) == 2, f"both replicas must hold items of the job: {seen}"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        assert _job(second, job_id)["items"]["done"] < ITEMS, "the kill must come mid-job"
        deadline = time.monotonic() + 240
        while (job := _job(second, job_id))["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        lines = [json.loads(line) for line in
                 httpx.get(f"{second}/v1/jobs/{job_id}/results", timeout=60).text.splitlines()]  # fmt: skip
    assert job["state"] == "done" and job["items"]["done"] == ITEMS
    ids = [line["id"] for line in lines]
    assert len(ids) == len(set(ids)) == ITEMS and set(ids) == {item["id"] for item in items}
    postgres.drop(url)


def test_a_tenants_small_job_is_not_held_behind_anothers_large_one_on_either_replica(
    tiny_marian_dir: Path, tmp_path: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tenant fairness over replicas: every replica gives every tenant with work in the database its share
    of its concurrency, so a tenant's 6-item job sent to the second replica is done while another tenant's
    400-item job, sent earlier to the first and worked by both, is still far from done."""
    url = postgres.new_database()
    monkeypatch.setenv("GAZETTE_DB", url)  # `gazette keys` writes where both replicas read
    big_key, small_key = (_key(name) for name in ("big", "small"))
    settings = {"db": url, "num_beams": "1", "max_job_items": "400", "lease_seconds": str(LEASE),
                "job_concurrency": "2"}  # fmt: skip
    big_items = [{"id": f"b{n}", "text": f"同安区第{n}次质量强区大会召开。"} for n in range(400)]
    small_items = [{"id": f"s{n}", "text": f"厦门市第{n}次会议召开。"} for n in range(6)]
    with serving(tiny_marian_dir, tmp_path / "a", **settings) as (first, _), \
            serving(tiny_marian_dir, tmp_path / "b", **settings) as (second, _):  # fmt: skip
        big = _submit(first, big_key, big_items)
        deadline = time.monotonic() + 120
        while _job(first, big, big_key)["items"]["done"] < 10:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        small = _submit(second, small_key, small_items)
        while (job := _job(second, small, small_key))["state"] != "done":
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        left = 400 - _job(first, big, big_key)["items"]["done"]
    assert left >= 100, f"the small job waited for the large one: {left} of its items were left"
    postgres.drop(url)


def _key(tenant: str) -> str:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["keys", "add", tenant]) == 0
    return out.getvalue().strip()


def _submit(base: str, key: str, items: list[dict[str, str]]) -> str:
    response = httpx.post(f"{base}/v1/jobs", json={"items": items, "source_lang": "zh"},
                          headers={"Authorization": f"Bearer {key}"}, timeout=30)  # fmt: skip
    assert response.status_code == 202, response.text
    return str(response.json()["id"])
