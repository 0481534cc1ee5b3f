"""The CTranslate2 seq2seq engine on the tiny Marian model, against the transformers engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.models.backend import ModelUnavailable, Source
from service.models.factory import ModelRequest, choose_engine, load_backend
from service.settings import Settings


def test_marian_runs_on_ctranslate2_int8(tiny_marian_dir: Path, tmp_path: Path) -> None:
    settings = Settings(backend="ctranslate2", model_cache=tmp_path, num_beams=2)
    backend = load_backend(ModelRequest(str(tiny_marian_dir), "seq2seq", "translate", "test"), settings)
    assert backend.info.engine == "ctranslate2"
    assert backend.info.random_weights is True
    outputs = backend.generate([Source("厦门同安区质量强区大会召开。"), Source("好")])
    assert len(outputs) == 2 and all(output.new_tokens > 0 for output in outputs)
    assert any((tmp_path / "ct2").iterdir())


def test_auto_picks_the_fast_engine() -> None:
    assert choose_engine("auto") == "ctranslate2"
    assert choose_engine("transformers") == "transformers"


def test_missing_ctranslate2_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("service.models.factory.ctranslate2_available", lambda: False)
    assert choose_engine("auto") == "transformers"
    with pytest.raises(ModelUnavailable, match="ctranslate2"):
        choose_engine("ctranslate2")
