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

# NLLB names languages by FLORES-200 code. Every source Gazette accepts (langdetect.SUPPORTED_SOURCES) is
# here; Chinese is converted to Simplified script before the model (ModelInfo.wants_simplified), hence
# zho_Hans. A FLORES code itself is also accepted, for a caller that names the variety.
NLLB_CODES = {
    "zh": "zho_Hans",
    "ja": "jpn_Jpan",
    "ko": "kor_Hang",
    "ru": "rus_Cyrl",
    "fr": "fra_Latn",
    "es": "spa_Latn",
    "de": "deu_Latn",
    "ar": "arb_Arab",  # Modern Standard Arabic: news is written in it
    "vi": "vie_Latn",
    "pt": "por_Latn",
    "it": "ita_Latn",
    "en": "eng_Latn",
}
NLLB_TARGET = NLLB_CODES["en"]
# An unknown code reaches here only past the pipeline's own check; failing would fail every text batched with
# it, so it is read as Gazette's default source (Source.source_lang) and logged.
_NLLB_FALLBACK = "zh"


def is_nllb(tokenizer: Any) -> bool:
    """NllbTokenizer (and the older NllbTokenizerFast): the tokenizer that places NLLB's language codes."""
    return "nllb" in type(tokenizer).__name__.lower()


def nllb_code(source_lang: str, tokenizer: Any) -> str:
    """The FLORES code NLLB knows `source_lang` by (see NLLB_CODES)."""
    if source_lang in NLLB_CODES:
        return NLLB_CODES[source_lang]
    if tokenizer.convert_tokens_to_ids(source_lang) != tokenizer.unk_token_id:
        return source_lang
    log.warning("no NLLB code for source language %r; reading it as %r", source_lang, _NLLB_FALLBACK)
    return NLLB_CODES[_NLLB_FALLBACK]


def encode_nllb(tokenizer: Any, sources: Sequence[Source]) -> list[list[int]]:
    """Each text's ids with its own language code, in input order; the caller holds the tokenizer's lock.

    The tokenizer itself places the code (transformers 5: `code text </s>`; with legacy_behaviour,
    `text </s> code`), so each language's texts are tokenized together with `src_lang` set to it. The
    loaded `src_lang` is put back after, so one loaded model serves every source language.
    """
    groups: dict[str, list[int]] = {}
    for index, source in enumerate(sources):
        groups.setdefault(nllb_code(source.source_lang, tokenizer), []).append(index)
    rows: list[list[int]] = [[] for _ in sources]
    loaded = tokenizer.src_lang
    try:
        for code, indices in groups.items():
            tokenizer.src_lang = code
            encoded = tokenizer([sources[i].text for i in indices], truncation=False)["input_ids"]
            for index, ids in zip(indices, encoded, strict=True):
                rows[index] = list(ids)
    finally:
        tokenizer.src_lang = loaded
    return rows


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
    """A seq2seq model and its tokenizer on one device; `generate` runs beam search on a batch.

    For NLLB each text carries its own source-language code (a batch may mix languages) and the decoder is
    forced to start with eng_Latn.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        info: ModelInfo,
        options: GenerationOptions,
    ) -> None:
        super().__init__(tokenizer, info, options)
        self._model = model
        self._device = next(model.parameters()).device
        self._nllb = is_nllb(tokenizer)
        self._forced_bos: int | None = tokenizer.convert_tokens_to_ids(NLLB_TARGET) if self._nllb else None

    def _encode(self, sources: Sequence[Source]) -> Any:
        with self._tokens.use() as tokenizer:
            if self._nllb:
                # Rows tokenized per language, padded together: one generate call for the mixed batch.
                return tokenizer.pad({"input_ids": encode_nllb(tokenizer, sources)}, return_tensors="pt")
            return tokenizer(
                [source.text for source in sources], return_tensors="pt", padding=True, truncation=False
            )

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        import torch

        if not sources:
            return []
        batch = {name: tensor.to(self._device) for name, tensor in self._encode(sources).items()}
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
                output_scores=True,
                return_dict_in_generate=True,
                **extra,
            )
        pad = self._tokens.unlocked.pad_token_id
        sequences = output.sequences
        with self._tokens.use() as tokenizer:
            decoded = tokenizer.batch_decode(sequences, skip_special_tokens=True)
        counts = [int((row != pad).sum()) for row in sequences]
        read = [int(row.sum()) for row in batch["attention_mask"]]
        scores = self._token_logprobs(output, pad)
        return [
            Generation(text.strip(), count, prompt_tokens=length, mean_logprob=mean, min_logprob=low)
            for text, count, length, (mean, low) in zip(decoded, counts, read, scores, strict=True)
        ]

    def _token_logprobs(self, output: Any, pad: int) -> list[tuple[float | None, float | None]]:
        """Per row, the mean and lowest log-probability of the tokens the chosen hypothesis holds."""
        beams = getattr(output, "beam_indices", None)
        # Beam search's scores are log-probabilities already; greedy search's are logits.
        steps = self._model.compute_transition_scores(
            output.sequences, output.scores, beams, normalize_logits=beams is None
        )
        generated = output.sequences[:, -steps.shape[1] :]  # the decoder's start token was not generated
        found: list[tuple[float | None, float | None]] = []
        for row, tokens in zip(steps, generated, strict=True):
            kept = row[(tokens != pad) & row.isfinite()]
            found.append((float(kept.mean()), float(kept.min())) if len(kept) else (None, None))
        return found


def load_seq2seq(
    spec: str,
    *,
    task: str,
    model_cache: Path,
    device: str,
    options: GenerationOptions,
    hub_timeout: float,
    licence: str = "unknown",
) -> TransformersSeq2SeqBackend:
    """Load a saved seq2seq model from a directory, the cache or the hub (see `resolve_pretrained`).

    One NLLB model serves every source language: each `Source` carries its own.
    """
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
    return TransformersSeq2SeqBackend(model, tokenizer, info, options)
