"""The transformers seq2seq engine on a tiny Marian model, through the same loading code as real models."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.models.backend import Backend, GenerationOptions, ModelUnavailable, Source
from service.models.seq2seq import load_seq2seq, pick_device


def load(spec: str, cache: Path) -> Backend:
    return load_seq2seq(
        spec,
        task="translate",
        model_cache=cache,
        device="auto",
        options=GenerationOptions(num_beams=2, max_new_tokens=16),
        hub_timeout=1.0,
    )


def test_tiny_marian_loads_from_a_directory_and_generates(tiny_marian_dir: Path, tmp_path: Path) -> None:
    backend = load(str(tiny_marian_dir), tmp_path)
    assert isinstance(backend, Backend)
    info = backend.info
    assert (info.engine, info.source, info.random_weights) == ("transformers", "local", True)
    assert info.max_input_tokens == 512
    outputs = backend.generate(
        [Source("厦门同安区质量强区大会召开。"), Source("今年增长24.5%。"), Source("好")]
    )
    assert len(outputs) == 3
    assert all(isinstance(output.text, str) and 0 < output.new_tokens <= 16 + 1 for output in outputs)
    assert backend.generate([]) == []


def test_token_counts_grow_with_the_text(tiny_marian_dir: Path, tmp_path: Path) -> None:
    backend = load(str(tiny_marian_dir), tmp_path)
    short, longer = backend.count_tokens("质量"), backend.count_tokens("质量强区大会在金牌厨柜召开")
    assert 1 < short < longer


def test_generation_is_deterministic(tiny_marian_dir: Path, tmp_path: Path) -> None:
    backend = load(str(tiny_marian_dir), tmp_path)
    assert backend.generate([Source("同安区")]) == backend.generate([Source("同安区")])


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not a directory"):
        load(str(tmp_path / "nope" / "model"), tmp_path)


def test_a_directory_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailable, match="could not load"):
        load(str(tmp_path / "empty"), tmp_path)


def test_uncached_hub_model_without_a_hub_fails_fast_with_a_remedy(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as refused:
        load("Helsinki-NLP/opus-mt-zh-en", tmp_path)
    message = str(refused.value)
    assert "cannot be reached" in message and "GAZETTE_TRANSLATE_MODEL" in message


def test_cuda_asked_for_without_cuda_is_refused() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ModelUnavailable, match="CUDA"):
        pick_device("cuda")
    assert pick_device("auto") == "cpu"


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_tiny_bart_summariser_loads_like_distilbart_on_each_engine(
    tiny_bart_dir: Path, tmp_path: Path, engine: str
) -> None:
    from service.models.factory import ModelRequest, load_backend
    from service.settings import Settings

    settings = Settings(backend=engine, model_cache=tmp_path, num_beams=1)  # type: ignore[arg-type]
    backend = load_backend(ModelRequest(str(tiny_bart_dir), "seq2seq", "summarize", "test"), settings)
    assert (backend.info.engine, backend.info.task, backend.info.random_weights) == (
        engine,
        "summarize",
        True,
    )
    text = "The district released a plan with 4 goals and 11 key projects. " * 8
    outputs = backend.generate([Source(text, "en", task="summarize")])
    assert len(outputs) == 1 and outputs[0].new_tokens <= 80 + 2


@pytest.mark.parametrize("beams", [1, 2])
def test_the_mean_log_probability_is_that_of_the_tokens_written(
    tiny_marian_dir: Path, tmp_path: Path, beams: int
) -> None:
    """What a segment's confidence rests on: the model's own log-probability of each token it wrote, the
    same as a teacher-forced pass over the output gives (greedy and beam search alike)."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    backend = load_seq2seq(
        str(tiny_marian_dir), task="translate", model_cache=tmp_path, device="cpu",
        options=GenerationOptions(num_beams=beams, max_new_tokens=12), hub_timeout=1.0,
    )  # fmt: skip
    texts = ["厦门同安区质量强区大会召开。", "好"]
    outputs = backend.generate([Source(text) for text in texts])
    tokenizer = AutoTokenizer.from_pretrained(tiny_marian_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_marian_dir).eval()
    for text, output in zip(texts, outputs, strict=True):
        assert output.mean_logprob is not None and output.min_logprob is not None
        assert output.min_logprob <= output.mean_logprob < 0
        again = model.generate(**tokenizer([text], return_tensors="pt"), num_beams=beams, max_new_tokens=12)
        labels = again[:, 1:]
        with torch.inference_mode():
            logits = model(**tokenizer([text], return_tensors="pt"), decoder_input_ids=again[:, :-1]).logits
            logits[..., tokenizer.pad_token_id] = float("-inf")  # Marian never writes its pad token
        steps = logits.log_softmax(-1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)[0]
        kept = steps[labels[0] != tokenizer.pad_token_id]
        if len(kept) == 12:  # cut at the limit: the end token was forced there, with probability 1
            kept[-1] = 0.0
        assert output.mean_logprob == pytest.approx(float(kept.mean()), abs=1e-3)
        assert output.min_logprob == pytest.approx(float(kept.min()), abs=1e-3)
