"""One function from (model spec, family, settings) to a ready Backend on the chosen engine."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from service.models.backend import Backend, GenerationOptions, ModelInfo, ModelUnavailable
from service.models.causal import ChatPrompter, TransformersCausalBackend
from service.models.ct2 import (
    CT2CausalBackend,
    CT2Seq2SeqBackend,
    ctranslate2_available,
    load_ct2_generator,
    load_ct2_translator,
)
from service.models.gguf import gguf_to_transformers
from service.models.loading import ResolvedModel, resolve_pretrained
from service.models.prompts import PromptSet, PromptTemplate, default_prompts_dir, load_family, load_prompt
from service.models.seq2seq import load_seq2seq, pick_device
from service.models.tiny import is_tiny_model
from service.settings import Settings

log = logging.getLogger(__name__)

MAX_CAUSAL_NEW_TOKENS = 512


@dataclass(frozen=True)
class ModelRequest:
    spec: str  # hub id, directory or .gguf file
    family: str  # "seq2seq" or "causal"
    task: str
    licence: str
    source: str | None = None  # where it came from, when the caller knows better (a PyPI pack)


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def choose_engine(requested: str, spec: str = "") -> str:
    """`auto` means the fast engine: llama.cpp for GGUF files, CTranslate2 (int8) for the rest."""
    gguf = spec.endswith(".gguf")
    if requested == "auto":
        if gguf and llama_cpp_available():
            return "llama.cpp"
        return "ctranslate2" if ctranslate2_available() else "transformers"
    if requested == "ctranslate2" and not ctranslate2_available():
        raise ModelUnavailable("GAZETTE_BACKEND=ctranslate2, but the ctranslate2 package is not installed")
    if requested == "llama.cpp" and not gguf:
        raise ModelUnavailable(f"GAZETTE_BACKEND=llama.cpp runs GGUF files only, and {spec} is not one")
    if requested == "llama.cpp" and not llama_cpp_available():
        raise ModelUnavailable("GAZETTE_BACKEND=llama.cpp, but the llama-cpp-python package is not installed")
    return requested


def _local_dir(resolved: ResolvedModel) -> Path:
    """A directory for the model, downloading the hub snapshot first where that is the source."""
    if resolved.source != "hub":
        return Path(resolved.location)
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(resolved.location, cache_dir=str(resolved.cache_dir)))


def model_family(spec: str, hint: str) -> str:
    """causal or seq2seq: from a local model's own config where there is one, else the profile's word."""
    if spec.endswith(".gguf"):
        return "causal"
    config = Path(spec).expanduser() / "config.json"
    if config.is_file():
        return (
            "seq2seq"
            if json.loads(config.read_text(encoding="utf-8")).get("is_encoder_decoder")
            else "causal"
        )
    return hint


def load_backend(request: ModelRequest, settings: Settings) -> Backend:
    engine = choose_engine(settings.backend, request.spec)
    if model_family(request.spec, request.family) == "causal":
        return _load_causal(request, settings, engine)
    if engine == "transformers":
        return load_seq2seq(
            request.spec,
            task=request.task,
            model_cache=settings.model_cache,
            device=settings.device,
            options=GenerationOptions(num_beams=settings.num_beams),
            hub_timeout=settings.hub_timeout,
            licence=request.licence,
        )
    return _load_ct2_seq2seq(request, settings)


def _load_ct2_seq2seq(request: ModelRequest, settings: Settings) -> Backend:
    from transformers import AutoTokenizer

    resolved = resolve_pretrained(request.spec, settings.model_cache, settings.hub_timeout)
    directory = _local_dir(resolved)
    tokenizer = AutoTokenizer.from_pretrained(directory)
    device = pick_device(settings.device)
    translator = load_ct2_translator(directory, settings.model_cache, device)
    info = ModelInfo(
        model=request.spec,
        engine="ctranslate2",
        task=request.task,
        source=request.source or resolved.source,
        licence=request.licence,
        max_input_tokens=int(min(512, tokenizer.model_max_length or 512)),
        random_weights=is_tiny_model(directory),
    )
    return CT2Seq2SeqBackend(translator, tokenizer, info, GenerationOptions(num_beams=settings.num_beams))


def _causal_dir(request: ModelRequest, settings: Settings) -> tuple[Path, str]:
    if request.spec.endswith(".gguf"):
        return gguf_to_transformers(Path(request.spec), settings.model_cache), request.source or "local"
    resolved = resolve_pretrained(request.spec, settings.model_cache, settings.hub_timeout)
    return _local_dir(resolved), request.source or resolved.source


def _family_templates(architecture: str, task: str) -> dict[str, PromptTemplate]:
    """Every task the model's family has a template for: one model then serves translation and summaries."""
    family = "qwen" if architecture.startswith("qwen") else architecture
    templates = load_family(default_prompts_dir(), family)
    templates[task] = load_prompt(default_prompts_dir(), family, task)  # or say that it lacks one
    return templates


def _load_causal(request: ModelRequest, settings: Settings, engine: str) -> Backend:
    if engine == "llama.cpp":
        return _load_llama_cpp(request, settings)
    from transformers import AutoConfig, AutoTokenizer

    directory, source = _causal_dir(request, settings)
    config = AutoConfig.from_pretrained(directory)
    tokenizer = AutoTokenizer.from_pretrained(directory)
    prompter = ChatPrompter(
        tokenizer, _family_templates(str(getattr(config, "model_type", "")), request.task)
    )
    info = ModelInfo(
        model=request.spec,
        engine=engine,
        task=request.task,
        source=source,
        licence=request.licence,
        max_input_tokens=512,
        random_weights=is_tiny_model(directory),
        prompted=True,
        prompts=prompter.names,
        prompt_digest=prompter.prompts.digest,
    )
    device = pick_device(settings.device)
    log.info("loading %s on %s with prompts %s", directory, engine, ", ".join(prompter.names))
    if engine == "ctranslate2":
        generator = load_ct2_generator(directory, settings.model_cache, device)
        return CT2CausalBackend(generator, prompter, info, MAX_CAUSAL_NEW_TOKENS)
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32)
    model = model.to(torch.device(device)).eval()  # type: ignore[arg-type]
    return TransformersCausalBackend(model, prompter, info, MAX_CAUSAL_NEW_TOKENS)


def _load_llama_cpp(request: ModelRequest, settings: Settings) -> Backend:
    """A GGUF file as it is, on llama.cpp: the prompts of its family, its own tokenizer and chat template."""
    from service.models.llama_native import NativeModel
    from service.models.llamacpp import LlamaCppBackend

    path = Path(request.spec)
    if not path.is_file():
        raise ModelUnavailable(f"GGUF file {path} does not exist")
    try:
        model = NativeModel(path)
    except ValueError as error:
        raise ModelUnavailable(f"could not read GGUF file {path}: {error}") from error
    prompts = PromptSet(_family_templates(model.architecture, request.task))
    info = ModelInfo(
        model=request.spec,
        engine="llama.cpp",
        task=request.task,
        source=request.source or "local",
        licence=request.licence,
        max_input_tokens=512,
        random_weights=is_tiny_model(path.parent),
        prompted=True,
        prompts=prompts.names,
        prompt_digest=prompts.digest,
    )
    log.info("loading %s on llama.cpp with prompts %s", path, ", ".join(prompts.names))
    threads = os.cpu_count() or 1
    return LlamaCppBackend(
        model,
        prompts,
        info,
        slots=settings.max_batch_size,
        max_new_tokens=MAX_CAUSAL_NEW_TOKENS,
        threads=threads,
    )
