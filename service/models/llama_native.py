"""A thin, typed layer over llama.cpp's C API (through llama-cpp-python's ctypes bindings).

Only what the batching backend needs: load a GGUF file, tokenize and detokenize with its own vocabulary,
render its chat template, and decode one multi-sequence batch at a time in a context whose KV cache is
shared by all sequences (so that a prompt prefix evaluated once can be copied to any sequence). The
high-level `llama_cpp.Llama` class drives one sequence at a time, hence the C API.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_init_lock = threading.Lock()
_log_callback: Any = None  # kept alive for as long as llama.cpp may call it


def _native() -> Any:
    """llama_cpp's bindings, initialised once, with llama.cpp's own log routed to ours (quietly)."""
    global _log_callback
    import llama_cpp

    with _init_lock:
        if _log_callback is None:

            def forward(level: int, text: bytes | None, _user: Any) -> None:
                # llama.cpp reports every tensor and setting at INFO; only problems are worth our log.
                # With one cache shared by all sequences, llama.cpp warns that a sequence could outgrow the
                # trained context; the backend never lets one (see `_longest`), so that warning is noise.
                if text and b"n_ctx_seq" not in text and _LEVELS.get(level, logging.DEBUG) >= logging.WARNING:
                    log.warning("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

            _log_callback = llama_cpp.llama_log_callback(forward)
            llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
            llama_cpp.llama_backend_init()
    return llama_cpp


@dataclass(frozen=True)
class BatchEntry:
    """One token of one sequence in a decode batch; `logits` marks the ones whose next token is wanted."""

    token: int
    position: int
    sequence: int
    logits: bool


class NativeModel:
    """A loaded GGUF model and its vocabulary. Tokenizing is read-only in llama.cpp: safe from any thread."""

    def __init__(self, path: Path) -> None:
        lib = _native()
        self._lib = lib
        params = lib.llama_model_default_params()
        params.n_gpu_layers = 0
        self._model = lib.llama_model_load_from_file(str(path).encode(), params)
        if not self._model:
            raise ValueError(f"llama.cpp could not load {path}")
        self._vocab = lib.llama_model_get_vocab(self._model)
        self.n_vocab = int(lib.llama_vocab_n_tokens(self._vocab))
        self.n_ctx_train = int(lib.llama_model_n_ctx_train(self._model))
        self.architecture = self.metadata("general.architecture")
        template = lib.llama_model_chat_template(self._model, None)
        # Models without a template of their own get ChatML, which Qwen and most instruct models use.
        self.chat_template: bytes = template or b"chatml"

    def metadata(self, key: str) -> str:
        """A GGUF metadata value as text ("" where the file has none)."""
        buffer = ctypes.create_string_buffer(256)
        size = self._lib.llama_model_meta_val_str(self._model, key.encode(), buffer, 256)
        return buffer.value.decode("utf-8", "replace") if size >= 0 else ""

    def close(self) -> None:
        if self._model:
            self._lib.llama_model_free(self._model)
            self._model = None

    def tokenize(self, text: str, *, special: bool) -> list[int]:
        """Token ids of `text`; with `special`, markers such as <|im_start|> are read as their tokens."""
        data = text.encode("utf-8")
        size = len(data) + 8
        for _ in range(2):
            buffer = (self._lib.llama_token * size)()
            count = self._lib.llama_tokenize(self._vocab, data, len(data), buffer, size, False, special)
            if count >= 0:
                return list(buffer[:count])
            size = -count
        raise RuntimeError("llama.cpp could not tokenize the text")

    def piece(self, token: int) -> bytes:
        """The bytes a token stands for; special tokens stand for nothing."""
        buffer = ctypes.create_string_buffer(64)
        size = self._lib.llama_token_to_piece(self._vocab, token, buffer, 64, 0, False)
        if size < 0:
            buffer = ctypes.create_string_buffer(-size)
            size = self._lib.llama_token_to_piece(self._vocab, token, buffer, -size, 0, False)
        return buffer.raw[:size]

    def detokenize(self, tokens: Sequence[int]) -> str:
        return b"".join(self.piece(token) for token in tokens).decode("utf-8", "replace")

    def is_end(self, token: int) -> bool:
        return bool(self._lib.llama_vocab_is_eog(self._vocab, token))

    def chat(self, messages: Sequence[dict[str, str]]) -> str:
        """The chat-formatted prompt for `messages`, ready for the assistant's answer."""
        lib = self._lib
        encoded = [(m["role"].encode(), m["content"].encode()) for m in messages]
        chat = (lib.llama_chat_message * len(encoded))(*[lib.llama_chat_message(r, c) for r, c in encoded])
        size = 2 * sum(len(r) + len(c) for r, c in encoded) + 256
        for _ in range(2):
            buffer = ctypes.create_string_buffer(size)
            needed = lib.llama_chat_apply_template(self.chat_template, chat, len(encoded), True, buffer, size)
            if needed < 0:
                raise ValueError("llama.cpp does not know this model's chat template")
            if needed <= size:
                return buffer.raw[:needed].decode("utf-8")
            size = needed
        raise RuntimeError("the chat template's output kept growing")

    def context(self, n_ctx: int, n_batch: int, sequences: int, threads: int) -> NativeContext:
        return NativeContext(self, n_ctx, n_batch, sequences, threads)

    @property
    def handle(self) -> Any:
        return self._model


class NativeContext:
    """One inference context: a KV cache shared by `sequences` sequences, decoded a batch at a time."""

    def __init__(self, model: NativeModel, n_ctx: int, n_batch: int, sequences: int, threads: int) -> None:
        lib = _native()
        self._lib = lib
        self._model = model
        params = lib.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = n_batch
        params.n_ubatch = n_batch
        params.n_seq_max = sequences
        params.n_threads = threads
        params.n_threads_batch = threads
        params.kv_unified = True  # one cache for all sequences: a copied prefix shares its cells
        params.no_perf = True
        self._ctx = lib.llama_init_from_model(model.handle, params)
        if not self._ctx:
            raise ValueError(f"llama.cpp could not create a context of {n_ctx} tokens")
        self._memory = lib.llama_get_memory(self._ctx)
        self.n_ctx = int(lib.llama_n_ctx(self._ctx))
        self.n_batch = n_batch
        self._batch = lib.llama_batch_init(n_batch, 0, 1)

    def close(self) -> None:
        if self._ctx:
            self._lib.llama_batch_free(self._batch)
            self._lib.llama_free(self._ctx)
            self._ctx = None

    def decode(self, entries: Sequence[BatchEntry]) -> list[int]:
        """Evaluate `entries` (at most n_batch); the greedy next token for each entry marked `logits`."""
        batch = self._batch
        for index, entry in enumerate(entries):
            batch.token[index] = entry.token
            batch.pos[index] = entry.position
            batch.n_seq_id[index] = 1
            batch.seq_id[index][0] = entry.sequence
            batch.logits[index] = entry.logits
        batch.n_tokens = len(entries)
        status = self._lib.llama_decode(self._ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status} on {len(entries)} tokens")
        return [self._argmax(index) for index, entry in enumerate(entries) if entry.logits]

    def decode_scored(self, entries: Sequence[BatchEntry]) -> list[tuple[int, float]]:
        """As `decode`, each greedy token with its log-probability (for a segment's confidence)."""
        tokens = self.decode(entries)
        wanted = [index for index, entry in enumerate(entries) if entry.logits]
        return [(token, self._logprob(index, token)) for index, token in zip(wanted, tokens, strict=True)]

    def _logits(self, index: int) -> np.ndarray:
        logits = self._lib.llama_get_logits_ith(self._ctx, index)
        return np.ctypeslib.as_array(logits, shape=(self._model.n_vocab,))

    def _argmax(self, index: int) -> int:
        return int(self._logits(index).argmax())

    def _logprob(self, index: int, token: int) -> float:
        """log softmax of the logits at `token`: a pass over the vocabulary (~0.3 ms against ~28 ms a token)."""
        logits = self._logits(index)
        top = float(logits.max())
        return float(logits[token]) - top - float(np.log(np.exp(logits - top).sum()))

    def forget(self, sequence: int) -> None:
        """Drop every cached position of `sequence`."""
        self._lib.llama_memory_seq_rm(self._memory, sequence, -1, -1)

    def share(self, source: int, target: int, length: int) -> None:
        """Let `target` start from positions [0, length) of `source` (shared cells, nothing recomputed)."""
        self._lib.llama_memory_seq_cp(self._memory, source, target, 0, length)

    def clear(self) -> None:
        self._lib.llama_memory_clear(self._memory, True)
