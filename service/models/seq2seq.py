"""The transformers seq2seq engine: MarianMT, NLLB, BART, T5 through the Auto classes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.models.backend import (
    Generation,
    GenerationOptions,
    ModelInfo,
    ModelUnavailable,
    Source,
    output_cap,
)
from service.models.loading import resolve_pretrained
from service.models.tiny import is_tiny_model
from service.models.tokens import SharedTokenizer

log = logging.getLogger(__name__)

# NLLB names languages by FLORES code; the tokenizer needs the source set and English forced first.
_NLLB_CODES = {
    "zh": "zho_Hans",
    "ja": "jpn_Jpan",
    "ko": "kor_Hang",
    "ru": "rus_Cyrl",
    "fr": "fra_Latn",
    "es": "spa_Latn",
    "de": "deu_Latn",
    "ar": "arb_Arab",
    "vi": "vie_Latn",
    "pt": "por_Latn",
    "it": "ita_Latn",
    "en": "eng_Latn",
}


def pick_device(requested: str) -> str:
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailable("GAZETTE_DEVICE=cuda was asked for, but torch sees no CUDA device")
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


class Seq2SeqBackendBase:
    """What the seq2seq engines share: the tokenizer, the model info, the beam settings."""

    def __init__(self, tokenizer: Any, info: ModelInfo, options: GenerationOptions) -> None:
        self._tokens = SharedTokenizer(tokenizer)
        self._info = info
        self._options = options

    @property
    def info(self) -> ModelInfo:
        return self._info

    def count_tokens(self, text: str) -> int:
        return self._tokens.count(text)


class TransformersSeq2SeqBackend(Seq2SeqBackendBase):
    """A seq2seq model and its tokenizer on one device; `generate` runs beam search on a batch."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        info: ModelInfo,
        options: GenerationOptions,
        source_lang: str | None = None,
    ) -> None:
        super().__init__(tokenizer, info, options)
        self._model = model
        self._device = next(model.parameters()).device
        self._forced_bos: int | None = None
        if "nllb" in type(tokenizer).__name__.lower() and source_lang in _NLLB_CODES:
            tokenizer.src_lang = _NLLB_CODES[source_lang]
            self._forced_bos = tokenizer.convert_tokens_to_ids(_NLLB_CODES["en"])

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        import torch

        if not sources:
            return []
        with self._tokens.use() as tokenizer:
            batch = tokenizer(
                [source.text for source in sources], return_tensors="pt", padding=True, truncation=False
            )
        batch = {name: tensor.to(self._device) for name, tensor in batch.items()}
        longest = int(batch["input_ids"].shape[1])
        extra: dict[str, Any] = {}
        if self._forced_bos is not None:
            extra["forced_bos_token_id"] = self._forced_bos
        if any(source.task == "summarize" for source in sources):
            # distilbart-cnn's own generation config asks for at least 56 tokens: too long for a bullet.
            extra["min_length"] = 0
        with torch.inference_mode():
            output = self._model.generate(
                **batch,
                num_beams=self._options.num_beams,
                # English runs longer than Chinese in tokens; 2x + 10 leaves room without runaway loops.
                max_new_tokens=min(output_cap(sources, self._options.max_new_tokens), 2 * longest + 10),
                **extra,
            )
        pad = self._tokens.unlocked.pad_token_id
        with self._tokens.use() as tokenizer:
            decoded = tokenizer.batch_decode(output, skip_special_tokens=True)
        counts = [int((row != pad).sum()) for row in output]
        return [Generation(text.strip(), count) for text, count in zip(decoded, counts, strict=True)]


def load_seq2seq(
    spec: str,
    *,
    task: str,
    model_cache: Path,
    device: str,
    options: GenerationOptions,
    hub_timeout: float,
    licence: str = "unknown",
    source_lang: str | None = None,
) -> TransformersSeq2SeqBackend:
    """Load a saved seq2seq model from a directory, the cache or the hub (see `resolve_pretrained`)."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    resolved = resolve_pretrained(spec, model_cache, hub_timeout)
    try:
        tokenizer = AutoTokenizer.from_pretrained(resolved.location, cache_dir=resolved.cache_dir)
        model = AutoModelForSeq2SeqLM.from_pretrained(resolved.location, cache_dir=resolved.cache_dir)
    except (OSError, ValueError) as error:
        raise ModelUnavailable(f"could not load seq2seq model {spec!r}: {error}") from error
    model = model.to(pick_device(device)).eval()
    max_positions = getattr(model.config, "max_position_embeddings", None) or 512
    tiny = resolved.source == "local" and is_tiny_model(Path(resolved.location))
    info = ModelInfo(
        model=spec,
        engine="transformers",
        task=task,
        source=resolved.source,
        licence=licence,
        wants_simplified=True,
        max_input_tokens=int(min(max_positions, tokenizer.model_max_length or max_positions)),
        random_weights=tiny,
    )
    log.info("loaded %s model %s from %s (%s)", task, spec, resolved.source, model.device)
    return TransformersSeq2SeqBackend(model, tokenizer, info, options, source_lang=source_lang)
