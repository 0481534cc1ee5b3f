"""`gazette batch --ray` on a local Ray instance: the same records, item by item, as in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.conftest import RunBatch, read_records, write_jsonl

ray = pytest.importorskip("ray")


def test_ray_records_match_the_in_process_ones(run_batch: RunBatch, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("廈門同安區質(zhì)量強區大會召開。\n\n周桂良參加會議。\n", encoding="utf-8")
    texts = ["同安区第一次会议在厦门召开。", "2023年全区GDP增长24.5%。", "   "]
    write_jsonl(docs / "items.jsonl", [{"id": f"r{n}", "text": text} for n, text in enumerate(texts)])
    # One item at a time on both sides: see test_parity.py for why the tiny model needs that.
    local = tmp_path / "local" / "out.jsonl"
    assert run_batch(str(docs), "--out", str(local), "--concurrency", "1") == 0

    on_ray = tmp_path / "ray" / "out.jsonl"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert run_batch("--ray", str(docs), "--out", str(on_ray), "--concurrency", "1") == 0
    finally:
        ray.shutdown()

    mine, theirs = read_records(local), read_records(on_ray)
    assert sorted(theirs) == ["a.txt", "r0", "r1", "r2"]
    assert theirs["r2"]["error"] and theirs["a.txt"]["segments"]
    assert mine == theirs
    translated = on_ray.parent / "out.files" / "a.txt"
    assert translated.read_bytes() == (local.parent / "out.files" / "a.txt").read_bytes()
