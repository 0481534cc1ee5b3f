"""Instruction-tuned causal LMs as translators: chat template, prompt from prompts/, greedy decoding."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from service.models.backend import Generation, ModelInfo, Source
from service.models.prompts import PromptTemplate, strip_chatter

log = logging.getLogger(__name__)

STOP_STRINGS = ("<|im_end|>", "<|endoftext|>", "<|im_start|>")


def output_budget(input_tokens: int, cap: int) -> int:
    """English needs up to ~3 tokens per Chinese token here; the cap stops a model that loops."""
    return max(16, min(cap, 3 * input_tokens + 16))


class ChatPrompter:
    """Turns a Source into the model's chat-formatted prompt, and counts the source's own tokens."""

    def __init__(self, tokenizer: Any, template: PromptTemplate) -> None:
        self.tokenizer = tokenizer
        self.template = template
        self._lock = threading.Lock()

    def prompt(self, source: Source) -> str:
        with self._lock:
            return str(
                self.tokenizer.apply_chat_template(
                    self.template.messages(source), tokenize=False, add_generation_prompt=True
                )
            )

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def finish(self, token_ids: list[int]) -> Generation:
        """Cut at the first stop token, decode, strip the chatter."""
        stops = set(self.stop_ids())
        end = next((index for index, token in enumerate(token_ids) if token in stops), len(token_ids))
        with self._lock:
            text = self.tokenizer.decode(token_ids[:end], skip_special_tokens=True)
        return Generation(strip_chatter(text), end)

    def stop_ids(self) -> list[int]:
        ids = [self.tokenizer.convert_tokens_to_ids(token) for token in STOP_STRINGS]
        unknown = self.tokenizer.unk_token_id
        return [int(i) for i in ids if i is not None and i != unknown and i >= 0]


class TransformersCausalBackend:
    """A causal LM on torch; batches are left-padded so every prompt ends where generation starts."""

    def __init__(self, model: Any, prompter: ChatPrompter, info: ModelInfo, max_new_tokens: int) -> None:
        self._model = model
        self._prompter = prompter
        self._info = info
        self._max_new_tokens = max_new_tokens
        self._device = next(model.parameters()).device
        tokenizer = prompter.tokenizer
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token

    @property
    def info(self) -> ModelInfo:
        return self._info

    def count_tokens(self, text: str) -> int:
        return self._prompter.count_tokens(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        import torch

        if not sources:
            return []
        prompts = [self._prompter.prompt(source) for source in sources]
        tokenizer = self._prompter.tokenizer
        batch = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(
            self._device
        )
        longest_source = max(self.count_tokens(source.text) for source in sources)
        with torch.inference_mode():
            output = self._model.generate(
                **batch,
                do_sample=False,
                max_new_tokens=output_budget(longest_source, self._max_new_tokens),
                eos_token_id=self._prompter.stop_ids(),
                pad_token_id=tokenizer.pad_token_id,
            )
        new = output[:, batch["input_ids"].shape[1] :]
        return [self._prompter.finish([int(token) for token in row]) for row in new]
