"""GGUF instruction models on llama.cpp, with continuous batching across requests.

The PyPI packs ship Qwen as a Q4_K_M GGUF; llama.cpp runs it as shipped (no dequantized copy), and on
2 cores it is the fastest engine here. One context holds up to `slots` sequences at once; the scheduler
calls `step` over and over, admitting new items into free slots as others finish, so throughput grows
with load instead of staying at one sequence's speed (see `llama_slots.py` for how a step is built).
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Hashable, Sequence
from dataclasses import replace

from service.models.backend import Generation, ModelInfo, Source, StepResult, output_cap
from service.models.causal import output_budget
from service.models.llama_native import BatchEntry, NativeContext, NativeModel
from service.models.llama_slots import Prefix, Slot, best_prefix, common_length, plan_step
from service.models.prompts import PromptSet

log = logging.getLogger(__name__)

SLOT_TOKENS = 2048  # cache cells per slot: prompt (instructions, glossary, text) and answer
# Prompt heads kept: a translation head per document being worked (its glossary is in it), the strict
# retry's, the fragments', the summaries'.
PREFIX_SEQUENCES = 8
PREFIX_TOKENS = 768
MIN_PREFIX = 8  # a shorter shared head is not worth a sequence of its own
# Finished answers kept in the cache, prompt and answer, the most recent first: a follow-up question about
# one (a fragment a translation left in Chinese, a bullet refused) then reads only the question. A segment's
# follow-ups come right after its answer, while the other segments in flight finish theirs: one per slot.
CONVERSATION_TOKENS = 512


class LlamaCppBackend:
    """A `Backend` that also steps: `step(admit, cancel)` is one decode over every live item."""

    def __init__(
        self,
        model: NativeModel,
        prompts: PromptSet,
        info: ModelInfo,
        *,
        slots: int,
        max_new_tokens: int,
        threads: int,
        n_batch: int = 128,
    ) -> None:
        self._model = model
        self._prompts = prompts
        self._info = info
        self._slots = slots
        self._max_new_tokens = max_new_tokens
        self._capacity = slots * SLOT_TOKENS
        self._conversations_kept = slots
        n_ctx = self._capacity + PREFIX_SEQUENCES * PREFIX_TOKENS + slots * CONVERSATION_TOKENS
        sequences = 2 * slots + PREFIX_SEQUENCES
        self._ctx: NativeContext = model.context(n_ctx, n_batch, sequences, threads)
        self._free = deque(range(slots))
        self._active: list[Slot] = []
        self._waiting: deque[tuple[Hashable, Source]] = deque()  # admitted, waiting for cache room
        self._prefixes: OrderedDict[tuple[int, ...], Prefix] = OrderedDict()
        self._conversations: OrderedDict[tuple[int, ...], Prefix] = OrderedDict()
        self._conversation_sequences = self._first_conversation_sequences()
        self.min_prefix = MIN_PREFIX
        # The most one item may hold (prompt and answer): a slot's share, or half the cache if more.
        self._longest = max(SLOT_TOKENS, self._capacity // 2)

    @property
    def info(self) -> ModelInfo:
        return self._info

    @property
    def slots(self) -> int:
        return self._slots

    def busy_slots(self) -> int:
        """Items held: generating, reading their prompt, or waiting for cache room."""
        return len(self._active) + len(self._waiting)

    def prefixes_cached(self) -> int:
        return len(self._prefixes)

    def conversations_cached(self) -> int:
        return len(self._conversations)

    def keep_conversations(self, count: int) -> None:
        """Keep at most `count` finished conversations (0: none); never more than the slots."""
        self._conversations_kept = max(0, min(count, self._slots))
        self._evict_conversations(self._conversations_kept)

    def _evict_conversations(self, room: int) -> None:
        """The oldest conversations dropped until at most `room` are left."""
        while len(self._conversations) > room:
            _, evicted = self._conversations.popitem(last=False)
            self._ctx.forget(evicted.sequence)
            self._conversation_sequences.append(evicted.sequence)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenize(text, special=False))

    def close(self) -> None:
        self._ctx.close()
        self._model.close()

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        """Every source to the end, keeping all slots busy: the path for callers without a scheduler."""
        keys = [object() for _ in sources]
        queue = deque(zip(keys, sources, strict=True))
        results: dict[Hashable, Generation | Exception] = {}
        while len(results) < len(keys):
            room = self._slots - len(self._active) - len(self._waiting)
            admit = [queue.popleft() for _ in range(min(room, len(queue)))]
            results.update(self.step(admit, ()))
        outputs = [results[key] for key in keys]
        for output in outputs:
            if isinstance(output, Exception):
                raise output
        return [output for output in outputs if isinstance(output, Generation)]

    def step(self, admit: Sequence[tuple[Hashable, Source]], cancel: Sequence[Hashable]) -> StepResult:
        """Drop `cancel`, take in `admit`, decode one batch; the items that finished, with their outputs."""
        try:
            return self._step(admit, cancel)
        except Exception:
            self._reset()  # a failed decode leaves the cache in an unknown state: start clean
            raise

    def _step(self, admit: Sequence[tuple[Hashable, Source]], cancel: Sequence[Hashable]) -> StepResult:
        dropped = set(cancel)
        for slot in [slot for slot in self._active if slot.key in dropped]:
            self._release(slot)
        self._waiting = deque(pair for pair in self._waiting if pair[0] not in dropped)
        self._waiting.extend(admit)
        finished: StepResult = self._start_waiting()
        if not self._active:
            return finished
        entries, owners = plan_step(self._active, self._ctx.n_batch)
        for slot, (token, logprob) in zip(owners, self._ctx.decode_scored(entries), strict=True):
            if self._model.is_end(token):
                slot.ended = True
            else:
                slot.take(token, logprob)
        for slot in [slot for slot in self._active if slot.done]:
            finished.append((slot.key, self._finish(slot)))
        return finished

    def _start_waiting(self) -> StepResult:
        """Give waiting items a slot while cache room lasts; one that can never fit fails on its own."""
        failed: StepResult = []
        while self._waiting and self._free:
            key, source = self._waiting[0]
            prompt = self._prompt_tokens(source)
            budget = output_budget(self.count_tokens(source.text), output_cap([source], self._max_new_tokens))
            need = len(prompt) + budget
            if need > self._longest:
                self._waiting.popleft()
                failed.append(
                    (key, ValueError(f"a prompt of {len(prompt)} tokens is too long for this model"))
                )
                continue
            if sum(slot.reserved for slot in self._active) + need > self._capacity:
                break  # room frees as others finish
            self._waiting.popleft()
            slot = Slot(key, self._free.popleft(), source, prompt, budget)
            self._share_prefix(slot)
            self._active.append(slot)
        return failed

    def _prompt_tokens(self, source: Source) -> list[int]:
        return self._model.tokenize(self._model.chat(self._prompts.messages(source)), special=True)

    def _share_prefix(self, slot: Slot) -> None:
        """Start `slot` from a cached prompt head, evaluating that head first if it is new."""
        head = self._head(slot.source, slot.prompt)
        if len(head) >= self.min_prefix and head not in self._prefixes:
            slot.head_cost = self._cache_prefix(head)
        found = best_prefix(slot.prompt, self._cached(), self.min_prefix)
        if found is not None:
            prefix, length = found
            pool = self._prefixes if prefix.tokens in self._prefixes else self._conversations
            pool.move_to_end(prefix.tokens)
            self._ctx.share(prefix.sequence, slot.sequence, length)
            slot.fed = slot.cached = length

    def _cached(self) -> list[Prefix]:
        """Every sequence a new prompt may start from: the prompt heads and the kept conversations."""
        return [*self._prefixes.values(), *self._conversations.values()]

    def _head(self, source: Source, prompt: list[int]) -> tuple[int, ...]:
        """The part of `prompt` its template alone decides: what the same prompt for other text shares."""
        if source.follows is not None:  # a follow-up's head is its conversation's, cached or not
            earlier = source.follows[0]
            return self._head(earlier, self._prompt_tokens(earlier))
        # Another text, no glossary of its own, no leftovers, another sentence for a fragment or before this
        # one: what stays is the template's, the document's title and glossary (the same for all its
        # sentences).
        blank = "\u3007"

        def other_than(value: str) -> str:
            return blank if value else ""

        other = replace(
            source,
            text=blank,
            glossary=(),
            leftover=(),
            context=other_than(source.context),
            previous=other_than(source.previous),
            previous_english=other_than(source.previous_english),
        )
        other_tokens = self._prompt_tokens(other)
        return tuple(prompt[: min(common_length(prompt, other_tokens), PREFIX_TOKENS)])

    def _cache_prefix(self, head: tuple[int, ...]) -> int:
        """Evaluate `head` into a sequence of its own; the tokens evaluated (a cached head it extends is
        copied, not evaluated again)."""
        if len(self._prefixes) >= PREFIX_SEQUENCES:
            _, evicted = self._prefixes.popitem(last=False)
            self._ctx.forget(evicted.sequence)
            sequence = evicted.sequence
        else:
            sequence = self._slots + len(self._prefixes)
        begin = 0
        found = best_prefix(head, self._cached(), self.min_prefix)
        if found is not None:  # another document's head under the same template: its common part
            base, begin = found
            self._ctx.share(base.sequence, sequence, begin)
        for start in range(begin, len(head), self._ctx.n_batch):
            chunk = head[start : start + self._ctx.n_batch]
            entries = [BatchEntry(token, start + i, sequence, False) for i, token in enumerate(chunk)]
            self._ctx.decode(entries)
        self._prefixes[head] = Prefix(sequence, head)
        return len(head) - begin

    def _first_conversation_sequences(self) -> deque[int]:
        first = self._slots + PREFIX_SEQUENCES
        return deque(range(first, first + self._slots))

    def _keep_conversation(self, slot: Slot) -> None:
        """Hold a finished answer's prompt and answer in a sequence of their own, evicting the oldest."""
        if slot.source.follows is not None:  # a follow-up is not followed up in turn
            return
        # The answer's last token is in the cache only if a token followed it (the end of the answer).
        tokens = tuple(slot.prompt + (slot.generated if slot.ended else slot.generated[:-1]))
        if len(tokens) > CONVERSATION_TOKENS:
            return
        if tokens in self._conversations:  # the same exchange again: what is cached is the same
            self._conversations.move_to_end(tokens)
            return
        if self._conversations_kept == 0:
            return
        self._evict_conversations(self._conversations_kept - 1)
        sequence = self._conversation_sequences.popleft()
        self._ctx.share(slot.sequence, sequence, len(tokens))
        self._conversations[tokens] = Prefix(sequence, tokens)

    def _finish(self, slot: Slot) -> Generation:
        self._keep_conversation(slot)
        self._release(slot)
        text = self._model.detokenize(slot.generated)
        log.debug(
            "%s%s%s: %d prompt tokens evaluated (%d for a new head), %d cached, %d generated",
            slot.source.task,
            " strict" if slot.source.strict else "",
            " fragment" if slot.source.context else "",
            len(slot.prompt) - slot.cached + slot.head_cost,
            slot.head_cost,
            slot.cached,
            len(slot.generated),
        )
        return Generation(
            self._prompts.answer(text, slot.source),
            len(slot.generated),
            prompt_tokens=len(slot.prompt) - slot.cached + slot.head_cost,
            cached_prompt_tokens=slot.cached,
            raw=text,
            mean_logprob=sum(slot.logprobs) / len(slot.logprobs) if slot.logprobs else None,
            min_logprob=min(slot.logprobs, default=None),
        )

    def _release(self, slot: Slot) -> None:
        self._active.remove(slot)
        self._ctx.forget(slot.sequence)
        self._free.append(slot.sequence)

    def _reset(self) -> None:
        self._ctx.clear()
        self._active = []
        self._waiting.clear()
        self._prefixes.clear()
        self._conversations.clear()
        self._conversation_sequences = self._first_conversation_sequences()
        self._free = deque(range(self._slots))
