"""Records are the same whichever way they are made: in process, by `/v1/translate`, by a server's jobs.

One item at a time everywhere (`--concurrency 1`, the server's `job_concurrency=1`): the engine bounds a
batch's output length by its longest input, and the tiny random model never stops before that bound, so
its output for an item depends on what shared the batch. A real model ends its sentences itself.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

import service.batch.client
from service.batch.inputs import read_glossary
from service.settings import Settings
from tests.api.conftest import running_app
from tests.batch.conftest import RunBatch, read_records, same_translation, write_jsonl

NOISY = [
    "廈門同安區質(zhì)量強區大會召開。\n周桂良參加會議,並講話。",
    "2023年全區GDP增長24.5%。會議要求:高度重視質量工作!",
    "同安区。",
]


def test_jsonl_records_match_v1_translate_item_by_item(
    run_batch: RunBatch, tiny_settings: Settings, tmp_path: Path
) -> None:
    items = write_jsonl(tmp_path / "items.jsonl", [{"id": f"n{k}", "text": t} for k, t in enumerate(NOISY)])
    out = tmp_path / "out.jsonl"
    assert run_batch(str(items), "--out", str(out), "--concurrency", "1") == 0
    records = read_records(out)
    with running_app(tiny_settings) as client:
        for number, text in enumerate(NOISY):
            response = client.post("/v1/translate", json={"text": text})
            assert response.status_code == 200, response.text
            same_translation(records[f"n{number}"], response.json()["documents"][0])


def test_the_seed_with_its_glossary_matches_v1_translate(
    run_batch: RunBatch, tiny_settings: Settings, seed_text: str, eval_dir: Path, tmp_path: Path
) -> None:
    glossary = eval_dir / "seed" / "glossary.tsv"
    items = write_jsonl(tmp_path / "seed.jsonl", [{"id": "seed", "text": seed_text}])
    out = tmp_path / "out.jsonl"
    assert run_batch(str(items), "--out", str(out), "--glossary", str(glossary), "--concurrency", "1") == 0
    [record] = read_records(out).values()
    with running_app(tiny_settings) as client:
        body = {"text": seed_text, "glossary": read_glossary(glossary)}
        response = client.post("/v1/translate", json=body)
    assert response.status_code == 200, response.text
    same_translation(record, response.json()["documents"][0])
    assert len({segment["paragraph"] for segment in record["segments"]}) == 14


def test_through_a_server_the_output_is_the_same_as_in_process(
    run_batch: RunBatch, tiny_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "sub" / "a.txt").write_text(NOISY[0], encoding="utf-8")
    (docs / "b.md").write_text(f"# {NOISY[2]}\n\n{NOISY[1]}\n", encoding="utf-8")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    items = [{"id": f"j{k}", "text": t} for k, t in enumerate(NOISY)]
    write_jsonl(docs / "items.jsonl", [*items, {"id": "long", "text": NOISY[0] + NOISY[1]}])
    (docs / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    local = tmp_path / "local" / "out.jsonl"
    assert run_batch(str(docs), "--out", str(local), "--concurrency", "1") == 0

    # Two items per job, and one item over the server's limit of characters: several jobs, one refused.
    limits = {"max_job_items": 2, "max_chars": 40, "job_concurrency": 1}
    settings = tiny_settings.model_copy(update=limits)
    monkeypatch.setattr(service.batch.client, "POLL_SECONDS", 0.05)
    remote = tmp_path / "remote" / "out.jsonl"
    with running_app(settings) as client:
        monkeypatch.setattr(service.batch.client, "connect", lambda url: contextlib.nullcontext(client))
        assert run_batch(str(docs), "--out", str(remote), "--server", "http://testserver") == 0
        jobs = client.get("/v1/jobs", params={"limit": 50}).json()["jobs"]
    assert len(jobs) >= 3  # 6 items sent (not bad.jsonl), two per job

    mine, theirs = read_records(local), read_records(remote)
    assert sorted(mine) == sorted(theirs)
    assert theirs.pop("long")["error"] == "refused by the server: item 'long' has 64 characters; at most 40"
    assert mine.pop("long")["error"] is None
    assert mine == theirs  # field by field, the empty file's error and the unreadable file's included
    for name in ("b.md", "sub/a.txt", "empty.txt"):
        made_here = local.parent / "out.files" / name
        assert made_here.is_file() == (name != "empty.txt")
        if made_here.is_file():
            assert (remote.parent / "out.files" / name).read_bytes() == made_here.read_bytes()
