"""Instruction-tuned causal LMs: chat template, one prompt from prompts/ per task, greedy decoding.

One loaded model serves every task its family has a template for (translate, summarize): the task of
each Source picks the template, so a summary reuses the model, the queue and the worker of translation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from service.models.backend import Generation, ModelInfo, Source, output_cap
from service.models.prompts import PromptSet, PromptTemplate
from service.models.tokens import SharedTokenizer

log = logging.getLogger(__name__)

STOP_STRINGS = ("<|im_end|>", "<|endoftext|>", "<|im_start|>")


def output_budget(input_tokens: int, cap: int) -> int:
    """English needs up to ~3 tokens per Chinese token here; the cap stops a model that loops."""
    return max(16, min(cap, 3 * input_tokens + 16))


class ChatPrompter:
    """Turns a Source into the model's chat-formatted prompt, and counts the source's own tokens."""

    def __init__(self, tokenizer: Any, templates: PromptTemplate | dict[str, PromptTemplate]) -> None:
        self.tokens = SharedTokenizer(tokenizer, count_special_tokens=False)
        self.prompts = PromptSet(templates)
        unknown = tokenizer.unk_token_id
        ids = [tokenizer.convert_tokens_to_ids(token) for token in STOP_STRINGS]
        self.stop_ids = frozenset(int(i) for i in ids if i is not None and i != unknown and i >= 0)

    @property
    def names(self) -> tuple[str, ...]:
        return self.prompts.names

    def prompt(self, source: Source) -> str:
        messages = self.prompts.messages(source)
        with self.tokens.use() as tokenizer:
            return str(tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))

    def finish(
        self, token_ids: list[int], source: Source | None = None, prompt_tokens: int = 0
    ) -> Generation:
        """Cut at the first stop token, decode, and keep the answer alone."""
        end = next((index for index, token in enumerate(token_ids) if token in self.stop_ids), len(token_ids))
        with self.tokens.use() as tokenizer:
            text = tokenizer.decode(token_ids[:end], skip_special_tokens=True)
        return Generation(self.prompts.answer(text, source), end, prompt_tokens=prompt_tokens, raw=text)


class PromptedBackend:
    """What the instruction-model engines share: the prompter, the model info, the output cap."""

    def __init__(self, prompter: ChatPrompter, info: ModelInfo, max_new_tokens: int) -> None:
        self._prompter = prompter
        self._info = info
        self._max_new_tokens = max_new_tokens

    @property
    def info(self) -> ModelInfo:
        return self._info

    def count_tokens(self, text: str) -> int:
        return self._prompter.tokens.count(text)

    def _output_budget(self, sources: Sequence[Source]) -> int:
        longest = max(self.count_tokens(source.text) for source in sources)
        return output_budget(longest, output_cap(sources, self._max_new_tokens))


class TransformersCausalBackend(PromptedBackend):
    """A causal LM on torch; batches are left-padded so every prompt ends where generation starts."""

    def __init__(self, model: Any, prompter: ChatPrompter, info: ModelInfo, max_new_tokens: int) -> None:
        super().__init__(prompter, info, max_new_tokens)
        self._model = model
        self._device = next(model.parameters()).device
        with prompter.tokens.use() as tokenizer:
            tokenizer.padding_side = "left"
            if tokenizer.pad_token_id is None:
                tokenizer.pad_token = tokenizer.eos_token

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        import torch

        if not sources:
            return []
        prompts = [self._prompter.prompt(source) for source in sources]
        with self._prompter.tokens.use() as tokenizer:
            batch = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
            pad_id = tokenizer.pad_token_id
        batch = batch.to(self._device)
        with torch.inference_mode():
            output = self._model.generate(
                **batch,
                do_sample=False,
                max_new_tokens=self._output_budget(sources),
                eos_token_id=sorted(self._prompter.stop_ids),
                pad_token_id=pad_id,
            )
        new = output[:, batch["input_ids"].shape[1] :]
        lengths = [int(row.sum()) for row in batch["attention_mask"]]
        return [
            self._prompter.finish([int(token) for token in row], source, length)
            for row, source, length in zip(new, sources, lengths, strict=True)
        ]
