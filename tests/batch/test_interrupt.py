"""Ctrl-C on a real `gazette batch` process mid-run: exit 130 at once (no abort from the model thread),
what was done is kept, and the next run does only the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.serving import free_port


def _batch(inputs: Path, out: Path, model_dir: Path, cache: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GAZETTE_PROFILE": "tiny",
        "GAZETTE_TRANSLATE_MODEL": str(model_dir),
        "GAZETTE_MODEL_CACHE": str(cache),
        "GAZETTE_NUM_BEAMS": "1",
        "HF_ENDPOINT": f"http://127.0.0.1:{free_port()}",
    }
    command = [sys.executable, "-m", "service", "batch", str(inputs), "--out", str(out), "--concurrency", "1"]
    # SIGINT as in a terminal, even where the suite itself runs with it ignored (a background job).
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _ids(out: Path) -> list[str]:
    return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]


def test_ctrl_c_exits_130_and_the_next_run_resumes(tiny_marian_dir: Path, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    rows = [{"id": f"d{n}", "text": f"同安区第{n}次质量强区大会召开。" * 6} for n in range(60)]
    items.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    first = _batch(items, out, tiny_marian_dir, tmp_path / "cache")
    deadline = time.monotonic() + 90
    while not (out.exists() and len(out.read_text(encoding="utf-8").splitlines()) >= 2):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)
    stdout, stderr = first.communicate(timeout=30)
    assert first.returncode == 130, stderr.decode()[-2000:]
    assert b"interrupted" in stdout and b"terminate called" not in stderr
    kept = _ids(out)
    assert 2 <= len(kept) < 60

    second = _batch(items, out, tiny_marian_dir, tmp_path / "cache")
    stdout, stderr = second.communicate(timeout=180)
    assert second.returncode == 0, stderr.decode()[-2000:]
    assert f"{len(kept)} already in".encode() in stdout
    assert sorted(_ids(out)) == sorted(row["id"] for row in rows)  # each once, the kept ones not redone
