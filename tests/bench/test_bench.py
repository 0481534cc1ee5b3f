"""`gazette bench` end to end on the tiny Marian model, and the model of opus-mt-zh-en's shape.

These check that every figure is there and sane, never how fast anything is.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from service.bench.ceiling import OPUS_SHAPE, OPUS_VOCAB_SIZE
from service.bench.load import percentile
from service.bench.scrape import Scrape, batch_delta
from service.bench.sentences import FLORES_ZHO_HANS, TOKEN_RANGE, pick_sentences
from service.cli import main
from service.models.backend import Source
from service.models.factory import ModelRequest, load_backend
from service.models.tiny import build_marian_of_shape, padded_vocabulary
from service.settings import Settings


def test_bench_end_to_end_on_the_tiny_model(
    tiny_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The bench reads its settings from the environment, as a user runs it, and hands them to the server.
    for name in ("profile", "translate_model", "model_cache", "num_beams", "max_segment_tokens"):
        monkeypatch.setenv(f"GAZETTE_{name.upper()}", str(getattr(tiny_settings, name)))
    out = tmp_path / "bench.json"
    argv = ["bench", "--clients", "2", "--seconds", "2", "--hol-sentences", "8", "--batch", "4"]
    assert main([*argv, "--json", str(out)]) == 0

    printed = capsys.readouterr().out
    for heading in ("Engine ceiling", "HTTP (2 clients", "Head of line", "Shutdown", "Targets"):
        assert heading in printed
    figures = json.loads(out.read_text(encoding="utf-8"))
    ceiling, load, hol, stop = (
        figures["ceiling"],
        figures["load"],
        figures["head_of_line"],
        figures["shutdown"],
    )
    assert ceiling["batch"] == 4 and ceiling["batch_seconds"] > 0 and ceiling["sentences_per_second"] > 0
    assert len(figures["idle_latencies"]) == 3 and min(figures["idle_latencies"]) > 0
    assert load["requests"] > 0 and load["sentences"] >= load["requests"] and load["errors"] == {}
    assert 0 < load["p50"] <= load["p95"] and load["elapsed"] >= load["seconds"] == 2
    assert load["batches"]["batches"] > 0
    assert sum(load["batches"]["histogram"].values()) == load["batches"]["batches"]
    assert hol["latency"] > 0 and hol["document_seconds"] is not None
    assert sum(hol["batches"]["histogram"].values()) == hol["batches"]["batches"] > 0
    assert stop["graceful"] and not stop["killed"] and stop["seconds"] > 0
    derived = figures["derived"]
    assert derived["share_of_ceiling"] > 0 and derived["head_of_line_bound"] > 0
    assert set(derived["targets"]) == {
        "throughput >= 90% of ceiling",
        "p95 <= 2 x one batch's time",
        "head-of-line <= 2 x (batch + idle)",
    }
    low, high = TOKEN_RANGE
    assert low <= figures["setup"]["token_range"][0] <= figures["setup"]["token_range"][1] <= high
    assert figures["setup"]["sentences"].startswith(("FLORES", "synthetic"))
    assert figures["setup"]["model"]["random_weights"] is True


def test_opus_shape_has_opus_mt_zh_en_dimensions(tmp_path: Path) -> None:
    from transformers import AutoTokenizer, MarianConfig

    folder = build_marian_of_shape(tmp_path, OPUS_SHAPE, OPUS_VOCAB_SIZE, corpus_lines=400, weights=False)
    config = MarianConfig.from_pretrained(folder)
    assert (config.d_model, config.encoder_layers, config.decoder_layers) == (512, 6, 6)
    assert (config.encoder_attention_heads, config.decoder_attention_heads) == (8, 8)
    assert (config.encoder_ffn_dim, config.decoder_ffn_dim) == (2048, 2048)
    assert config.vocab_size == config.decoder_vocab_size == 65_001
    assert config.pad_token_id == config.decoder_start_token_id == 65_000 and config.eos_token_id == 0
    assert config.activation_function == "swish"
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert len(tokenizer) == 65_001 and tokenizer.pad_token_id == 65_000
    assert len(json.loads((folder / "vocab.json").read_text(encoding="utf-8"))) == 65_001


def test_vocabulary_padding_puts_pad_last() -> None:
    vocab = padded_vocabulary(["</s>", "<unk>", "▁a"], 8)
    assert len(vocab) == 8 and sorted(vocab.values()) == list(range(8))
    assert vocab["</s>"] == 0 and vocab["▁a"] == 2 and vocab["<pad>"] == 7
    with pytest.raises(ValueError):
        padded_vocabulary(["a", "b", "c"], 3)


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_a_model_of_given_shape_loads_like_any_model(engine: str, tmp_path: Path) -> None:
    sizes = {"d_model": 32, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2}
    sizes |= {"decoder_attention_heads": 2, "encoder_ffn_dim": 64, "decoder_ffn_dim": 64}
    folder = build_marian_of_shape(
        tmp_path / "model", sizes | {"activation_function": "swish"}, 9_000, corpus_lines=400
    )
    settings = Settings(backend=engine, model_cache=tmp_path / "cache", num_beams=2)
    backend = load_backend(ModelRequest(str(folder), "seq2seq", "translate", "test"), settings)
    assert backend.info.engine == engine and backend.info.random_weights
    assert backend.count_tokens("厦门同安区质量强区大会召开。") > 0
    assert len(backend.generate([Source("厦门同安区质量强区大会召开。"), Source("好")])) == 2


def _count_characters(text: str) -> int:
    return len(text)


def test_sentences_come_from_flores_in_the_token_range(tmp_path: Path) -> None:
    lines = [
        "短句。",
        "字" * 35 + "。",
        "字" * 20 + "；" + "字" * 15 + "。",
        "文" * 38 + "。",
        "长" * 90 + "。",
    ]
    (tmp_path / FLORES_ZHO_HANS).parent.mkdir(parents=True)
    with gzip.open(tmp_path / FLORES_ZHO_HANS, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    pool = pick_sentences(_count_characters, tmp_path, minimum=2)
    # The line with a ； inside would be two sentences for the service: left out.
    assert pool.sentences == (lines[1], lines[3]) and pool.tokens == (36, 39)
    assert pool.origin.startswith("FLORES-200 devtest zho_Hans")


def test_synthetic_sentences_without_the_data_folder() -> None:
    pool = pick_sentences(_count_characters, None, minimum=16)
    low, high = TOKEN_RANGE
    assert len(pool.sentences) >= 16 and all(low <= n <= high for n in pool.tokens)
    assert "synthetic" in pool.origin and "not here" in pool.origin


def test_batch_histogram_is_the_difference_of_two_scrapes() -> None:
    bounds = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, float("inf"))
    before = Scrape(dict(zip(bounds, (1, 1, 1, 1, 1, 1, 1, 1), strict=True)), 1, 1, 0.5)
    after = Scrape(dict(zip(bounds, (1, 3, 3, 4, 9, 10, 10, 11), strict=True)), 11, 111, 5.5)
    delta = batch_delta(before, after)
    assert delta.histogram == {
        "1": 0,
        "2": 2,
        "3-4": 0,
        "5-8": 1,
        "9-16": 5,
        "17-32": 1,
        "33-64": 0,
        "65+": 1,
    }
    assert delta.batches == sum(delta.histogram.values()) == 10
    assert delta.mean_size == 11.0 and delta.mean_seconds == 0.5


def test_percentile_is_a_latency_that_happened() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.95) == 95.0 and percentile(values, 0.5) == 50.0
    assert percentile([], 0.95) == 0.0 and percentile([3.0], 0.95) == 3.0


def test_engines_compared_on_the_same_load_in_one_run(
    tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GAZETTE_TRANSLATE_MODEL", str(tiny_gguf))
    monkeypatch.setenv("GAZETTE_MODEL_CACHE", str(tmp_path / "cache"))
    argv = ["bench", "--engines", "llama.cpp,ctranslate2", "--clients", "1,2", "--seconds", "1"]
    assert main(argv) == 0
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    table = {(row[0].strip(), row[1].strip()): row for row in rows[1:]}
    assert set(table) == {("llama.cpp", "1"), ("llama.cpp", "2"), ("ctranslate2", "1"), ("ctranslate2", "2")}
    for row in table.values():
        requests, tokens, per_second, errors = int(row[2]), int(row[3]), float(row[4]), row[8].strip()
        assert requests > 0 and tokens > 0 and per_second > 0 and errors == "none"


def test_several_client_counts_need_engines_to_compare() -> None:
    with pytest.raises(SystemExit, match="need --engines"):
        main(["bench", "--clients", "1,4"])
    with pytest.raises(SystemExit):
        main(["bench", "--engines", "vllm"])
