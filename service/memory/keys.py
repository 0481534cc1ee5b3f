"""What a remembered translation is filed under: everything that changes it, and nothing else.

A model's translation of a segment depends on the segment's text, the model file, the prompt template's
text, the glossary renderings that applied to the segment and the settings that shape the pipeline; a
change to any of them is a new key, so an entry is never served where it would not have been made. A
person's translation depends on the source text alone (a correction stands whatever model comes later).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from service.models.backend import ModelInfo
from service.models.integrity import recorded_sha256
from service.text.normalize import clean, to_simplified, unicode_normalize

# Bump when the pipeline's handling of a segment changes in a way its settings do not show.
PIPELINE_VERSION = 2  # 2: figures with 万 and 亿 told to instruction models in English


def memory_text(text: str) -> str:
    """The source as memory compares it: cleaned as a document is (ruby, punctuation), in Simplified
    script, spaces collapsed; so a sentence pasted from Traditional or Simplified pages finds one entry."""
    cleaned = clean(unicode_normalize(text)).text
    return " ".join(to_simplified(cleaned).split())


def person_key(source_lang: str, source: str) -> str:
    return "person:" + _digest([source_lang, memory_text(source)])


@dataclass(frozen=True)
class ModelIdentity:
    """What of the model and the pipeline decides a segment's translation, apart from the segment."""

    fingerprint: str  # the model file's digest (or what names its contents)
    engine: str
    template: str  # the prompt template's text, "" for a seq2seq model
    settings: tuple[tuple[str, object], ...]  # the settings that shape the pipeline's output

    def key(self, source_lang: str, source: str, glossary: Sequence[tuple[str, str]]) -> str:
        parts: list[object] = [
            PIPELINE_VERSION,
            self.fingerprint,
            self.engine,
            self.template,
            list(self.settings),
            source_lang,
            memory_text(source),
            sorted(glossary),
        ]
        return "model:" + _digest(parts)


def model_fingerprint(info: ModelInfo) -> str:
    """The model's file digest: the sha256 recorded when it was verified, else its size and time (a
    changed file is a new model); a directory by its files'; a hub id by its name."""
    path = Path(info.model).expanduser()
    if path.is_file():
        recorded = recorded_sha256(path)
        if recorded is not None:
            return "sha256:" + recorded
        return _file_stamp(path)
    if path.is_dir():
        files = sorted(item for item in path.rglob("*") if item.is_file())
        return "dir:" + _digest([_file_stamp(item) for item in files])
    return "name:" + info.model


def _file_stamp(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


def _digest(parts: Sequence[object]) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
