from __future__ import annotations

from pathlib import Path

import pytest

from service.models.profiles import PROFILES, choose_auto_profile


def test_every_profile_of_the_spec_is_defined() -> None:
    assert set(PROFILES) == {"opus", "nllb", "qwen-pypi", "qwen-small-pypi", "tiny"}


@pytest.mark.parametrize(
    ("language", "model"),
    [
        ("zh", "Helsinki-NLP/opus-mt-zh-en"),
        ("ja", "Helsinki-NLP/opus-mt-ja-en"),
        ("pt", "Helsinki-NLP/opus-mt-mul-en"),
    ],
)
def test_opus_picks_a_model_per_source_language(language: str, model: str) -> None:
    assert PROFILES["opus"].translate_model(language) == model


def test_nllb_uses_one_model_and_states_its_licence() -> None:
    assert PROFILES["nllb"].translate_model("ko") == "facebook/nllb-200-distilled-600M"
    assert "NC" in PROFILES["nllb"].licence


def test_auto_without_hub_or_cache_falls_back_to_the_pypi_pack(tmp_path: Path) -> None:
    name, reason = choose_auto_profile(tmp_path, 1.0)
    assert name == "qwen-pypi"
    assert "pulled from PyPI" in reason


def test_auto_prefers_a_pack_already_in_the_cache(tmp_path: Path) -> None:
    from service.models.packs import PACKS, pack_path

    path = pack_path(PACKS["qwen-pypi"], tmp_path)
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:  # a sparse file of the pinned size stands in for the pulled pack
        handle.truncate(PACKS["qwen-pypi"].size)
    name, reason = choose_auto_profile(tmp_path, 1.0)
    assert (name, "in the cache" in reason) == ("qwen-pypi", True)
