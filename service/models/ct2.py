"""CTranslate2: int8 inference on CPU for seq2seq (Translator) and causal (Generator) models.

A transformers model directory is converted once into the model cache and reused; conversion writes to a
scratch folder that is renamed into place, so a half-converted model is never loaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
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
from service.models.causal import ChatPrompter, PromptedBackend
from service.models.seq2seq import NLLB_TARGET, Seq2SeqBackendBase, encode_nllb, is_nllb

log = logging.getLogger(__name__)


def ctranslate2_available() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def converted_dir(model_dir: Path, model_cache: Path, quantization: str) -> Path:
    """Where the conversion of `model_dir` lives: named after the model and a hash of its path."""
    digest = hashlib.sha256(str(model_dir.resolve()).encode()).hexdigest()[:10]
    return model_cache / "ct2" / f"{model_dir.name}-{digest}-{quantization}"


def convert_to_ct2(model_dir: Path, model_cache: Path, quantization: str = "int8") -> Path:
    """Convert a saved transformers model once; later calls return the cached conversion."""
    target = converted_dir(model_dir, model_cache, quantization)
    if (target / "model.bin").is_file():
        return target
    from ctranslate2.converters import TransformersConverter

    scratch = target.with_name(target.name + f".converting-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    log.info("converting %s to CTranslate2 (%s) in %s; done once", model_dir, quantization, target)
    try:
        TransformersConverter(str(model_dir), low_cpu_mem_usage=True).convert(
            str(scratch), quantization=quantization, force=True
        )
    except Exception as error:  # the converter raises many kinds; the user needs one message
        shutil.rmtree(scratch, ignore_errors=True)
        raise ModelUnavailable(f"could not convert {model_dir} to CTranslate2: {error}") from error
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, target)
    return target


def _threads() -> int:
    return max(1, os.cpu_count() or 1)


def _compute_type(device: str) -> str:
    return "int8" if device == "cpu" else "int8_float16"


class CT2Seq2SeqBackend(Seq2SeqBackendBase):
    """A Marian/BART/T5/NLLB model on a CTranslate2 Translator, with the model's own transformers tokenizer.

    For NLLB each source carries its own language code, placed by the tokenizer (`code text </s>`), and
    every hypothesis starts from the target prefix eng_Latn, which is taken off before decoding.
    """

    def __init__(self, translator: Any, tokenizer: Any, info: ModelInfo, options: GenerationOptions) -> None:
        super().__init__(tokenizer, info, options)
        self._translator = translator
        self._nllb = is_nllb(tokenizer)

    def _source_tokens(self, sources: Sequence[Source]) -> list[list[str]]:
        with self._tokens.use() as tokenizer:
            if self._nllb:
                return [tokenizer.convert_ids_to_tokens(ids) for ids in encode_nllb(tokenizer, sources)]
            return [tokenizer.convert_ids_to_tokens(tokenizer.encode(source.text)) for source in sources]

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        if not sources:
            return []
        tokens = self._source_tokens(sources)
        longest = max(len(t) for t in tokens)
        extra: dict[str, Any] = {}
        if self._nllb:
            extra["target_prefix"] = [[NLLB_TARGET] for _ in sources]
        results = self._translator.translate_batch(
            tokens,
            beam_size=self._options.num_beams,
            max_decoding_length=min(output_cap(sources, self._options.max_new_tokens), 2 * longest + 10),
            return_scores=True,  # the hypothesis's log-probability over its length: the mean per token
            **extra,
        )
        outputs = []
        with self._tokens.use() as tokenizer:
            for result, source_tokens in zip(results, tokens, strict=True):
                hypothesis = list(result.hypotheses[0])
                if self._nllb and hypothesis[:1] == [NLLB_TARGET]:
                    # CTranslate2 returns the target prefix with the hypothesis; it is not generated text.
                    hypothesis = hypothesis[1:]
                ids = tokenizer.convert_tokens_to_ids(hypothesis)
                text = tokenizer.decode(ids, skip_special_tokens=True)
                mean = float(result.scores[0]) if result.scores else None
                outputs.append(
                    Generation(text.strip(), len(ids), prompt_tokens=len(source_tokens), mean_logprob=mean)
                )
        return outputs


class CT2CausalBackend(PromptedBackend):
    """An instruction model on a CTranslate2 Generator: greedy, stop tokens, prompt not echoed."""

    def __init__(self, generator: Any, prompter: ChatPrompter, info: ModelInfo, max_new_tokens: int) -> None:
        super().__init__(prompter, info, max_new_tokens)
        self._generator = generator
        vocabulary = prompter.tokens.unlocked.get_vocab()
        self._end_tokens = [token for token in ("<|im_end|>", "<|endoftext|>") if token in vocabulary]

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        if not sources:
            return []
        prompts = [self._prompter.prompt(source) for source in sources]
        with self._prompter.tokens.use() as tokenizer:
            tokens = [tokenizer.convert_ids_to_tokens(tokenizer.encode(prompt)) for prompt in prompts]
        results = self._generator.generate_batch(
            tokens,
            max_length=self._output_budget(sources),
            sampling_topk=1,
            include_prompt_in_result=False,
            end_token=self._end_tokens,
        )
        return [
            self._prompter.finish(list(result.sequences_ids[0]), source, len(prompt))
            for result, source, prompt in zip(results, sources, tokens, strict=True)
        ]


def load_ct2_translator(model_dir: Path, model_cache: Path, device: str) -> Any:
    import ctranslate2

    converted = convert_to_ct2(model_dir, model_cache)
    return ctranslate2.Translator(
        str(converted), device=device, compute_type=_compute_type(device), intra_threads=_threads()
    )


def load_ct2_generator(model_dir: Path, model_cache: Path, device: str) -> Any:
    import ctranslate2

    converted = convert_to_ct2(model_dir, model_cache)
    return ctranslate2.Generator(
        str(converted), device=device, compute_type=_compute_type(device), intra_threads=_threads()
    )
