"""The batch's output: a .jsonl of records that is durable line by line, and the translated files beside it.

A record is on disk (flushed and fsynced) the moment it is written, so a crash or Ctrl-C loses at most the
line being written; on the next run that torn line is cut off and every id already present is skipped.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.jobs.records import record_paragraphs

log = logging.getLogger(__name__)


def files_dir(out: Path) -> Path:
    """Where translated files go: `<out stem>.files/` beside the output."""
    return out.with_name(f"{out.stem}.files")


def _record_id(line: bytes) -> str | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    found = record.get("id") if isinstance(record, dict) else None
    return found if isinstance(found, str) else None


class BatchOutput:
    """The .jsonl output, opened for appending after reading which ids it already holds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._resume()
        # Unbuffered: each record is one write() of a whole line, then fsync.
        self._handle = open(path, "ab", buffering=0)  # noqa: SIM115 - closed by close()

    def _resume(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        complete, _, tail = data.rpartition(b"\n")
        for line in complete.split(b"\n"):
            found = _record_id(line)
            if found is not None:
                self.done.add(found)
        if not tail.strip():
            return
        found = _record_id(tail)
        if found is not None:  # a whole record that only lacks its newline: keep it
            self.done.add(found)
            with open(self.path, "ab") as handle:
                handle.write(b"\n")
            return
        # A line torn by a crash: cut it off so the next record starts on a line of its own.
        keep = data.rfind(b"\n") + 1
        log.warning("batch: dropping a torn last line of %s (%d bytes)", self.path, len(tail))
        with open(self.path, "r+b") as handle:
            handle.truncate(keep)

    def append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        self._handle.write(line)
        os.fsync(self._handle.fileno())
        self.done.add(str(record["id"]))

    def close(self) -> None:
        self._handle.close()


@dataclass(frozen=True)
class SourceFile:
    """A document file whose translation is rebuilt in its own format (a PDF's as a .docx)."""

    path: Path
    name: str  # relative name: also where its translation goes under `files_dir`
    paragraphs: int


class Recorder:
    """Takes each finished record: its translated file first, then its line (so a record on disk implies
    its file is there too; a crash between the two only means the file is written again)."""

    def __init__(self, output: BatchOutput, sources: Mapping[str, SourceFile]) -> None:
        self.output = output
        self._sources = sources
        self.written = 0
        self.failed = 0

    def add(self, record: dict[str, Any]) -> bool:
        """Write `record` unless its id is already in the output; True if it was new."""
        if record["id"] in self.output.done:
            return False
        source = self._sources.get(record["id"])
        if source is not None:
            self._write_file(source, record)
        self.output.append(record)
        self.written += 1
        self.failed += record.get("error") is not None
        return True

    def _write_file(self, source: SourceFile, record: dict[str, Any]) -> None:
        from service.jobs.formats import translated_name, write_translated

        paragraphs = record_paragraphs(record, source.paragraphs)
        if paragraphs is None:
            return
        try:
            built = write_translated(source.name, source.path.read_bytes(), paragraphs)
        except (ValueError, OSError) as error:
            # The record stands on its own; a file that cannot be rebuilt (changed since it was read)
            # must not stop the batch.
            log.warning("batch: %s: translated file not written: %s", source.name, error)
            return
        if built is None:
            return
        target = files_dir(self.output.path) / translated_name(source.name)  # a PDF's as NAME.docx
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(built)
        os.replace(partial, target)  # never a half-written file under the final name
