"""The output file on its own: what resume reads back, and the paragraphs rebuilt from a record."""

from __future__ import annotations

import json
from pathlib import Path

from service.batch.output import BatchOutput
from service.jobs.records import record_paragraphs


def test_a_whole_last_line_without_newline_is_kept_and_a_torn_one_cut(tmp_path: Path) -> None:
    whole = tmp_path / "whole.jsonl"
    whole.write_text('{"id": "a"}\n{"id": "b"}', encoding="utf-8")
    output = BatchOutput(whole)
    output.append({"id": "c"})
    output.close()
    assert output.done == {"a", "b", "c"}
    assert [json.loads(line)["id"] for line in whole.read_text().splitlines()] == ["a", "b", "c"]

    torn = tmp_path / "torn.jsonl"
    torn.write_text('{"id": "a"}\nnot json\n{"id": "b", "tr', encoding="utf-8")
    output = BatchOutput(torn)
    output.close()
    assert output.done == {"a"}  # a line that does not parse holds no id: that item runs again
    assert torn.read_text() == '{"id": "a"}\nnot json\n'

    only = tmp_path / "only.jsonl"
    only.write_text('{"id": "a", "tr', encoding="utf-8")
    BatchOutput(only).close()
    assert only.read_bytes() == b""


def test_paragraphs_join_their_segments_and_keep_empty_ones() -> None:
    segments = [
        {"paragraph": 1, "translation": "One."},
        {"paragraph": 1, "translation": "Two."},
        {"paragraph": 3, "translation": "Three."},
    ]
    assert record_paragraphs({"segments": segments}, 3) == ["One. Two.", "", "Three."]
    assert record_paragraphs({"segments": None, "error": "x"}, 3) is None
