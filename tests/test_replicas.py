"""Two `gazette serve` processes on one PostgreSQL database (tests/postgres.py): a 600-item job submitted
to one is worked by both, never more than its concurrency at once over the two; the first is killed with
SIGKILL mid-job and the second finishes it, every item recorded exactly once; a glossary made on the first
is used on the second; usage is one count."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.postgres import PostgresServer
from tests.serving import serving

ITEMS = 600
LEASE = 4  # seconds: the dead replica's items are the other's this long after its last heartbeat
CONCURRENCY = 4  # items of the job leased at once, over both replicas together
AUTH = {"Authorization": "DeepL-Auth-Key any-key"}


def _job(base: str, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()
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
    counted = [httpx.get(f"{base}/v1/usage", timeout=10).json()["characters_used"] for base in (first, second)]
    assert counted[0] == counted[1] == len("同安区召开会议。")


def test_two_replicas_share_a_job_and_the_survivor_finishes_it(
    tiny_marian_dir: Path, tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database()
    items = [{"id": f"n{n}", "text": f"同安区第{n}次质量强区大会召开。"} for n in range(ITEMS)]
    settings = {"db": url, "num_beams": "1", "max_job_items": str(ITEMS), "lease_seconds": str(LEASE),
                "job_concurrency": str(CONCURRENCY)}
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
