"""Jobs in a real `gazette serve` process: killed with SIGKILL mid-job, then started again on the same
database, the job finishes with every item done exactly once; and a person is served while it runs."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from tests.serving import serving

ITEMS = 1000


def _job(base: str, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()
    return job


def _results(base: str, job_id: str) -> dict[str, dict[str, Any]]:
    """Every result line by its id; an id seen twice fails the test."""
    lines: dict[str, dict[str, Any]] = {}
    response = httpx.get(f"{base}/v1/jobs/{job_id}/results", timeout=60)
    for line in response.text.splitlines():
        record = json.loads(line)
        assert record["id"] not in lines, f"{record['id']} has two results"
        lines[record["id"]] = record
    return lines


def test_a_job_killed_mid_way_resumes_without_redoing_anything(tiny_marian_dir: Path, tmp_path: Path) -> None:
    items = [{"id": f"n{n}", "text": f"同安区第{n}次质量强区大会召开。"} for n in range(ITEMS)]
    db = tmp_path / "jobs.sqlite3"
    settings = {"db": str(db), "num_beams": "1", "max_job_items": str(ITEMS)}
    with serving(tiny_marian_dir, tmp_path / "cache", **settings) as (base, process):
        response = httpx.post(f"{base}/v1/jobs", json={"items": items, "source_lang": "zh"}, timeout=30)
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        deadline = time.monotonic() + 120
        while _job(base, job_id)["items"]["done"] < ITEMS // 5:
            assert time.monotonic() < deadline, _job(base, job_id)
            time.sleep(0.1)
        before_kill = _results(base, job_id)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert ITEMS // 5 <= len(before_kill) < ITEMS, "the kill must come mid-job"

    with serving(tiny_marian_dir, tmp_path / "cache", **settings) as (base, _):
        deadline = time.monotonic() + 180
        while (job := _job(base, job_id))["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        after = _results(base, job_id)
    assert job["state"] == "done" and job["items"]["done"] == ITEMS
    assert sorted(after) == sorted(item["id"] for item in items)
    # Stored before the kill, not made again: the same record, stored at the same moment.
    for item_id, record in before_kill.items():
        assert after[item_id] == record
