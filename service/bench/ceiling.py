"""Phase 1, in process: the engine's ceiling (one batch, timed), and the model of opus-mt-zh-en's shape.

The ceiling is what the engine does with a full batch and nothing else: no HTTP, no scheduler. The HTTP
figures are read against it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.bench.sentences import SentencePool, pick_sentences
from service.gazette import Gazette
from service.models.backend import Source
from service.settings import Settings

# Helsinki-NLP/opus-mt-zh-en's config.json: a transformer-base Marian model with a 65,001-entry vocabulary.
OPUS_SHAPE: dict[str, Any] = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "max_position_embeddings": 512,
    "activation_function": "swish",
    "scale_embedding": True,
    "static_position_embeddings": True,
    "share_encoder_decoder_embeddings": True,
}
OPUS_VOCAB_SIZE = 65_001


@dataclass(frozen=True)
class ModelFacts:
    model: str
    engine: str
    random_weights: bool


# Batches timed for the ceiling, each of other sentences from the pool the clients send: one batch's time
# varies with its longest sentence (a random model decodes to its length cap) and with the machine.
CEILING_BATCHES = 3


@dataclass(frozen=True)
class Ceiling:
    batch: int
    batch_seconds: float  # one batch's time: the mean over CEILING_BATCHES batches
    batch_seconds_each: tuple[float, ...]
    sentences_per_second: float
    new_tokens_per_sentence: float  # generated tokens: a random model runs to its length cap
    warm_seconds: float  # the first batch, not counted


def opus_shape_dir(model_cache: Path) -> Path:
    return model_cache / "bench-opus-shape"


def ensure_opus_shape(model_cache: Path) -> Path:
    """Build the random model of opus-mt-zh-en's shape once; later runs reuse it.

    Built in a scratch folder renamed into place, so an interrupted build is never taken for a model.
    """
    from service.models.tiny import build_marian_of_shape

    target = opus_shape_dir(model_cache)
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    scratch = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    build_marian_of_shape(scratch, OPUS_SHAPE, OPUS_VOCAB_SIZE)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(scratch, target)
    return target


async def measure_ceiling(
    settings: Settings, batch: int, minimum: int
) -> tuple[SentencePool, Ceiling, ModelFacts]:
    """Load the model as the service does, choose the sentences with its tokenizer, time one `generate`
    call on a batch of `batch`, for each of `CEILING_BATCHES` batches of the pool.

    The engine is released on return (leaving the `async with`), so the server started next has the
    cores to itself.
    """
    async with Gazette(settings) as gz:
        await gz.wait_ready()
        backend = await gz.translator_backend("zh")
        pool = await asyncio.to_thread(
            pick_sentences, backend.count_tokens, settings.eval_data(), max(minimum, batch)
        )
        batches = [
            [
                Source(pool.sentences[(start + i) % len(pool.sentences)], source_lang="zh")
                for i in range(batch)
            ]
            for start in range(0, batch * CEILING_BATCHES, batch)
        ]
        started = time.perf_counter()
        await asyncio.to_thread(backend.generate, batches[0])  # first call: allocations, caches
        warm_seconds = time.perf_counter() - started
        times, tokens = [], []
        for sources in batches:
            started = time.perf_counter()
            generations = await asyncio.to_thread(backend.generate, sources)
            times.append(time.perf_counter() - started)
            tokens += [g.new_tokens for g in generations]
        info = backend.info
    seconds = sum(times) / len(times)
    ceiling = Ceiling(
        batch=batch,
        batch_seconds=seconds,
        batch_seconds_each=tuple(round(t, 3) for t in times),
        sentences_per_second=batch / seconds,
        new_tokens_per_sentence=sum(tokens) / len(tokens),
        warm_seconds=warm_seconds,
    )
    return pool, ceiling, ModelFacts(info.model, info.engine, info.random_weights)
