"""`gazette batch` run through `service.cli.main` on the tiny models, and its output read back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.settings import Settings

RunBatch = Callable[..., int]


@pytest.fixture
def run_batch(tiny_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> RunBatch:
    """`run_batch(*args)`: `gazette batch *args` on the models of `tiny_settings`; the exit code."""
    # The command builds its settings from flags and the environment, as a user's run does.
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tiny_settings.model_cache))
    monkeypatch.setenv("GAZETTE_NUM_BEAMS", str(tiny_settings.num_beams))
    monkeypatch.setenv("GAZETTE_MAX_SEGMENT_TOKENS", str(tiny_settings.max_segment_tokens))
    models = ["--profile", "tiny", "--translate-model", str(tiny_settings.translate_model)]
    models += ["--summarize-model", str(tiny_settings.summarize_model)]

    def run(*args: str) -> int:
        return main(["--log-level", "warning", "batch", *args, *models])

    return run


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """The output's records by id; every line must parse and every id appear once."""
    records: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert record["id"] not in records, f"{record['id']} written twice"
        records[record["id"]] = record
    return records


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return path


def same_translation(left: dict[str, Any], right: dict[str, Any]) -> None:
    """Two records (or a record and a /v1/translate document) say the same, segment by segment."""
    fields = ("id", "paragraph", "source", "normalized", "translation")
    assert left["translation"] == right["translation"]
    assert [{k: s[k] for k in fields} for s in left["segments"]] == [
        {k: s[k] for k in fields} for s in right["segments"]
    ]
