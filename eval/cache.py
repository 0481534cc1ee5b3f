"""Outputs kept by (fingerprint, text), so that re-scoring, a longer `--limit` or another report does
not translate again. The fingerprint (eval/fingerprint.py) covers everything that changes an output: the
model as loaded, decoding settings, the row, the effective glossary, the prompt templates' text and the
code version. SQLite in the model cache folder; an entry no key reaches any more is merely dead weight."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from service.pipeline.confidence import ConfidenceBasis


@dataclass(frozen=True)
class SegmentOutput:
    id: str
    normalized: str
    translation: str
    source: str = ""  # as received (absent from entries cached before it was kept)
    confidence: float | None = None  # the segment's (absent from entries cached before it was kept)
    basis: ConfidenceBasis | None = None  # what the confidence was computed from, to fit its calibration


@dataclass(frozen=True)
class Output:
    """What the evaluation keeps of one translated document."""

    translation: str
    segments: tuple[SegmentOutput, ...]
    generated_tokens: int
    seconds: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Output:
        segments = tuple(
            SegmentOutput(**(segment | {"basis": _basis(segment.get("basis"))}))
            for segment in data["segments"]
        )
        return cls(data["translation"], segments, data["generated_tokens"], data["seconds"])


def _basis(data: dict[str, Any] | None) -> ConfidenceBasis | None:
    return ConfidenceBasis(**data) if data else None


def output_key(fingerprint: str, text: str) -> str:
    """The cache key of `text` translated under `fingerprint` (SuiteRunner.fingerprint builds it)."""
    return hashlib.sha256(f"{fingerprint}\n{text}".encode()).hexdigest()


class OutputCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.commit()

    def get(self, key: str) -> Output | None:
        row = self._db.execute("SELECT value FROM outputs WHERE key = ?", (key,)).fetchone()
        return Output.from_json(json.loads(row[0])) if row else None

    def put(self, key: str, output: Output) -> None:
        # Committed one by one: an interrupted run keeps what it finished.
        self._db.execute(
            "INSERT OR REPLACE INTO outputs (key, value) VALUES (?, ?)",
            (key, json.dumps(asdict(output), ensure_ascii=False)),
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()
