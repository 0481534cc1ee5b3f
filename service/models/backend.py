"""The contract between the pipeline and a model engine. Engines never see HTTP."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Task = Literal["translate", "summarize"]


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
    prompts: tuple[str, ...] = ()  # prompt templates loaded, `family/task.vN`, one per task it serves
    prompt_digest: str = ""  # sha256 of those templates' text (prompted models only)

    def prompt_for(self, task: str) -> str | None:
        """The name of the template this model uses for `task`, if it is prompted."""
        return next((name for name in self.prompts if name.split("/", 1)[-1].startswith(f"{task}.v")), None)


@dataclass(frozen=True)
class Source:
    """One piece of text for the model, with what a prompted model should know about it.

    `task` says what to do with it: an instruction model serves both tasks from one loaded model, each
    with its own template; a seq2seq model does the one task it was trained for, and `task` only sets
    how long its output may be.
    """

    text: str
    source_lang: str = "zh"
    glossary: tuple[tuple[str, str], ...] = ()  # (term, rendering) pairs found in this text
    # The pairs found anywhere in its document: a template may show them in the head every sentence of
    # the document shares, evaluated once (llama.cpp) instead of once per sentence.
    document_glossary: tuple[tuple[str, str], ...] = ()
    strict: bool = False  # a second attempt, after the first output failed its checks
    # For a second attempt, what the first one got wrong: source-script fragments it left (translate),
    # numbers it wrote that its sources do not hold (summarize).
    leftover: tuple[str, ...] = ()
    context: str = ""  # for a fragment: the sentence it comes from
    rendered: str = ""  # for a name: its sentence's accepted English, which the answer must quote
    task: Task = "translate"
    # What the document says around this text, for prompted models (see pipeline/context.py).
    title: str = ""  # the document's first line
    previous: str = ""  # the sentence before
    previous_english: str = ""  # its translation, when already made
    # A question about an earlier exchange (a fragment its answer left in Chinese): that exchange's source
    # and the model's reply as written. The prompt is that conversation and then this question; an engine
    # that keeps recent conversations cached (llama.cpp) reads only the question.
    follows: tuple[Source, str] | None = None
    # (source, English) pairs from the memory like this text's document, shown to an instruction model as
    # earlier turns of the conversation: part of the head all of the document's sentences share.
    examples: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Generation:
    text: str
    new_tokens: int
    # What reading the prompt cost: tokens evaluated for this item (a shared prompt head it was the first
    # to need counts here), and tokens it took ready-made from the cache (a head evaluated before).
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    raw: str = ""  # the reply as the model wrote it, before clean-up: what a follow-up question continues
    # How sure the model was of what it wrote: the mean and the lowest log-probability of its generated
    # tokens (None where the engine gives none). What a segment's confidence is computed from.
    mean_logprob: float | None = None
    min_logprob: float | None = None


@dataclass(frozen=True)
class GenerationOptions:
    num_beams: int = 4
    max_new_tokens: int = 256


# A bullet is at most 35 words (about 50 tokens); room for a little more, never a runaway.
SUMMARY_MAX_NEW_TOKENS = 80


def output_cap(sources: Sequence[Source], translate_cap: int) -> int:
    """The most tokens a batch may generate: summaries are short whatever their input's length."""
    if all(source.task == "summarize" for source in sources):
        return min(translate_cap, SUMMARY_MAX_NEW_TOKENS)
    return translate_cap


@runtime_checkable
class Backend(Protocol):
    """One model on one engine: count tokens, and generate one output per input."""

    @property
    def info(self) -> ModelInfo: ...

    def count_tokens(self, text: str) -> int: ...

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        """One output per input, in order. Called from one worker thread at a time."""
        ...


# What one step finished: each item's key with its output, or the error that item alone met.
StepResult = list[tuple[Hashable, Generation | Exception]]


@runtime_checkable
class SteppingBackend(Backend, Protocol):
    """An engine that batches continuously: items join and leave between steps of one running batch.

    The scheduler calls `step` again and again from the worker thread: it drops the items in `cancel`
    (their callers gave up), takes in `admit` (never more than the free slots), evaluates one batch and
    returns the items that finished. Between calls nothing runs.
    """

    @property
    def slots(self) -> int:
        """Items it can hold at once."""
        ...

    def step(self, admit: Sequence[tuple[Hashable, Source]], cancel: Sequence[Hashable]) -> StepResult: ...
