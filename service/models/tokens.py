"""A tokenizer shared between threads: counting runs on the request path, encoding in the model worker."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class SharedTokenizer:
    """Hugging Face fast tokenizers are not safe to use from two threads at once; this serialises them."""

    def __init__(self, tokenizer: Any, *, count_special_tokens: bool = True) -> None:
        self._tokenizer = tokenizer
        self._count_special = count_special_tokens
        self._lock = threading.Lock()

    @property
    def unlocked(self) -> Any:
        """For attributes that never change after loading (token ids, vocabulary)."""
        return self._tokenizer

    @contextmanager
    def use(self) -> Iterator[Any]:
        with self._lock:
            yield self._tokenizer

    def count(self, text: str) -> int:
        with self._lock:
            return len(self._tokenizer(text, add_special_tokens=self._count_special)["input_ids"])
