"""The contract between the pipeline and a model engine. Engines never see HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class ModelUnavailable(RuntimeError):
    """A model cannot be loaded; the message names the remedy and is shown to people as it is."""


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded model is, for responses and `/v1/models`."""

    model: str  # hub id, directory or file it was loaded from
    engine: str  # "transformers", "ctranslate2", ...
    task: str  # "translate" or "summarize"
    source: str  # "hub", "cache", "local", "pypi-pack", "built"
    licence: str = "unknown"
    wants_simplified: bool = True  # Chinese input converted to Simplified script before the model
    max_input_tokens: int = 512
    random_weights: bool = False  # true for the tiny test models: their output is noise
    prompted: bool = False  # an instruction model: glossary goes into the prompt, a retry can differ


@dataclass(frozen=True)
class Source:
    """One piece of text for the model, with what a prompted model should know about it."""

    text: str
    source_lang: str = "zh"
    glossary: tuple[tuple[str, str], ...] = ()  # (term, rendering) pairs found in this text
    strict: bool = False  # a second attempt, after the first output failed its checks
    leftover: tuple[str, ...] = ()  # for a second attempt: source-script fragments the first one left
    context: str = ""  # for a fragment: the sentence it comes from


@dataclass(frozen=True)
class Generation:
    text: str
    new_tokens: int


@dataclass(frozen=True)
class GenerationOptions:
    num_beams: int = 4
    max_new_tokens: int = 256


@runtime_checkable
class Backend(Protocol):
    """One model on one engine: count tokens, and generate one output per input."""

    @property
    def info(self) -> ModelInfo: ...

    def count_tokens(self, text: str) -> int: ...

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        """One output per input, in order. Called from one worker thread at a time."""
        ...
