"""Bookkeeping for continuous batching on one llama.cpp context: pure Python, no model.

Every item being generated holds a slot (a llama.cpp sequence id). Each step decodes one batch that
holds, for every slot already generating, its last token, and then as much prompt as still fits, taken
from the slots still reading theirs (oldest first): new items' prefill is interleaved with the others'
decoding instead of stalling it. Prompt prefixes shared by many items (the system prompt and the
instructions) are evaluated once into a sequence of their own and copied into each new slot.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from service.models.backend import Source
from service.models.llama_native import BatchEntry

LOOP_WINDOW = 8
LOOP_REPEATS = 3


@dataclass(eq=False)
class Slot:
    key: Hashable  # the caller's name for the item
    sequence: int  # llama.cpp sequence id
    source: Source
    prompt: list[int]
    budget: int  # new tokens at most
    fed: int = 0  # prompt tokens in the cache (a copied prefix counts)
    cached: int = 0  # prompt tokens copied from a cached head: never evaluated for this item
    head_cost: int = 0  # tokens evaluated to make a new head this item was the first to need
    generated: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)  # of each generated token, for the confidence
    ended: bool = False
    # Where each run of LOOP_WINDOW generated tokens started: to see a model going round in circles.
    windows: dict[tuple[int, ...], list[int]] = field(default_factory=dict, repr=False)

    @property
    def reading(self) -> bool:
        """Still evaluating its prompt: nothing generated yet."""
        return self.fed < len(self.prompt)

    @property
    def reserved(self) -> int:
        """Cache cells this item may come to need."""
        return len(self.prompt) + self.budget

    @property
    def done(self) -> bool:
        return self.ended or len(self.generated) >= self.budget

    def take(self, token: int, logprob: float = 0.0) -> None:
        """Add a generated token; a model repeating itself is stopped where the repetition began.

        Small models sometimes loop ("X, X, X, ..." up to the budget), which on a CPU costs as much as
        several sentences. The same LOOP_WINDOW tokens a third time is a loop, not a translation.
        """
        self.generated.append(token)
        self.logprobs.append(logprob)
        if len(self.generated) < LOOP_WINDOW:
            return
        window = tuple(self.generated[-LOOP_WINDOW:])
        starts = self.windows.setdefault(window, [])
        starts.append(len(self.generated) - LOOP_WINDOW)
        if len(starts) >= LOOP_REPEATS:
            del self.generated[starts[1] :]
            del self.logprobs[starts[1] :]
            self.ended = True


@dataclass(frozen=True)
class Prefix:
    """A prompt head held in its own sequence, to be shared by the items that begin with it."""

    sequence: int
    tokens: tuple[int, ...]


def common_length(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens `a` and `b` share."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def best_prefix(prompt: Sequence[int], prefixes: Sequence[Prefix], minimum: int) -> tuple[Prefix, int] | None:
    """The cached prefix sharing the most leading tokens with `prompt`, if it shares at least `minimum`.

    At least one prompt token is always left to evaluate: the next token's logits come from it.
    """
    scored = [(prefix, min(common_length(prompt, prefix.tokens), len(prompt) - 1)) for prefix in prefixes]
    found = max(scored, key=lambda pair: pair[1], default=None)
    return found if found is not None and found[1] >= minimum else None


def plan_step(slots: Sequence[Slot], n_batch: int) -> tuple[list[BatchEntry], list[Slot]]:
    """One decode batch, and for each entry that wants logits, the slot its next token goes to.

    Generating slots go first, one token each; then prompt chunks fill what is left of `n_batch`.
    """
    entries: list[BatchEntry] = []
    owners: list[Slot] = []
    for slot in slots:
        if not slot.reading and slot.generated and not slot.done:
            position = len(slot.prompt) + len(slot.generated) - 1
            entries.append(BatchEntry(slot.generated[-1], position, slot.sequence, True))
            owners.append(slot)
    for slot in slots:
        room = n_batch - len(entries)
        if room <= 0:
            break
        if not slot.reading:
            continue
        chunk = slot.prompt[slot.fed : slot.fed + room]
        finishes = slot.fed + len(chunk) == len(slot.prompt)
        for offset, token in enumerate(chunk):
            last = finishes and offset == len(chunk) - 1
            entries.append(BatchEntry(token, slot.fed + offset, slot.sequence, last))
        slot.fed += len(chunk)
        if finishes:
            owners.append(slot)
    return entries, owners
