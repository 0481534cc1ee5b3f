"""The parts of `--server` and `--ray` that need no server or cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

import service.batch.command
from service.batch.client import _chunks, connect
from service.jobs.records import ItemInput
from tests.batch.conftest import RunBatch, write_jsonl


def test_the_api_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAZETTE_API_KEY", "s3cret")
    with connect("http://127.0.0.1:9") as client:
        assert client.headers["Authorization"] == "Bearer s3cret"
    monkeypatch.delenv("GAZETTE_API_KEY")
    with connect("http://127.0.0.1:9") as client:
        assert "Authorization" not in client.headers


def test_a_large_batch_is_cut_into_submissions_in_order() -> None:
    items = [ItemInput(f"i{n}", "字" * 100) for n in range(10)]
    chunks = list(_chunks(items, 1100))  # 300 bytes of text and a little per item: three fit
    assert [item.id for chunk in chunks for item in chunk] == [item.id for item in items]
    assert [len(chunk) for chunk in chunks] == [3, 3, 3, 1]
    assert list(_chunks([ItemInput("big", "字" * 5000)], 1000)) == [[ItemInput("big", "字" * 5000)]]


def test_an_unreachable_server_is_one_line_and_exit_1(
    run_batch: RunBatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("service.batch.client.RETRIES", 1)
    items = write_jsonl(tmp_path / "items.jsonl", [{"id": "a", "text": "同安区。"}])
    assert run_batch(str(items), "--out", str(tmp_path / "out.jsonl"), "--server", "http://127.0.0.1:9") == 1
    err = capsys.readouterr().err
    assert "http://127.0.0.1:9" in err and "Traceback" not in err


def test_ray_missing_names_the_install_command(
    run_batch: RunBatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.batch.command, "_ray_importable", lambda: False)
    items = write_jsonl(tmp_path / "items.jsonl", [{"id": "a", "text": "同安区。"}])
    assert run_batch(str(items), "--out", str(tmp_path / "out.jsonl"), "--ray") == 2
    assert "pip install 'gazette[ray]'" in capsys.readouterr().err
