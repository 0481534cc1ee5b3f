"""One loaded NLLB model serves every source language: each text gets its own FLORES code, on both engines.

The tiny model's weights are random, so these tests check what the model is given (the encoder's input
ids, the forced first target token, CTranslate2's source tokens and target prefix), never what it says.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.models.backend import Backend, Source
from service.models.factory import ModelRequest, load_backend
from service.models.seq2seq import NLLB_CODES, NLLB_TARGET, encode_nllb, nllb_code
from service.settings import Settings
from service.text.langdetect import SUPPORTED_SOURCES

MIXED = [
    Source("同安区大会召开。", "zh"),
    Source("Le plan du conseil.", "fr"),
    Source("今年增长24.5%。", "zh"),
    Source("委員会が発表した。", "ja"),
]


@pytest.fixture
def tokenizer(tiny_nllb_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_nllb_dir)


def load(directory: Path, cache: Path, engine: str) -> Backend:
    # No language is given at load time: each Source carries its own.
    settings = Settings(backend=engine, model_cache=cache, num_beams=1)  # type: ignore[arg-type]
    return load_backend(ModelRequest(str(directory), "seq2seq", "translate", "test"), settings)


def expected_ids(tokenizer: Any, source: Source) -> list[int]:
    """What NllbTokenizer itself gives for one text with its language set: the reference placement."""
    tokenizer.src_lang = NLLB_CODES[source.source_lang]
    try:
        return list(tokenizer(source.text)["input_ids"])
    finally:
        tokenizer.src_lang = NLLB_TARGET


def test_every_supported_source_has_a_flores_code_nllb_knows(tokenizer: Any) -> None:
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    assert set(SUPPORTED_SOURCES) <= set(NLLB_CODES)
    for language in SUPPORTED_SOURCES:
        assert NLLB_CODES[language] in FAIRSEQ_LANGUAGE_CODES
        assert tokenizer.convert_tokens_to_ids(NLLB_CODES[language]) != tokenizer.unk_token_id


def test_codes_fall_back_to_flores_then_to_chinese(tokenizer: Any) -> None:
    assert nllb_code("fr", tokenizer) == "fra_Latn"
    assert nllb_code("zho_Hant", tokenizer) == "zho_Hant"  # a FLORES code names its own variety
    assert nllb_code("xx", tokenizer) == "zho_Hans"  # Gazette's default source, logged


def test_each_row_starts_with_its_own_code_and_ends_with_eos(tokenizer: Any) -> None:
    rows = encode_nllb(tokenizer, MIXED)
    assert rows == [expected_ids(tokenizer, source) for source in MIXED]
    for row, source in zip(rows, MIXED, strict=True):
        assert tokenizer.convert_ids_to_tokens(row[:1]) == [NLLB_CODES[source.source_lang]]
        assert row[-1] == tokenizer.eos_token_id
    assert tokenizer.src_lang == NLLB_TARGET  # the loaded setting is back: counting is unaffected


def test_legacy_placement_follows_the_tokenizer(tiny_nllb_dir: Path) -> None:
    from transformers import AutoTokenizer

    legacy = AutoTokenizer.from_pretrained(tiny_nllb_dir, legacy_behaviour=True)
    rows = encode_nllb(legacy, MIXED[:2])
    assert [legacy.convert_ids_to_tokens(row[-2:]) for row in rows] == [
        ["</s>", "zho_Hans"],
        ["</s>", "fra_Latn"],
    ]


@pytest.fixture
def generate_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[dict[str, Any], Any]]]:
    """Every call to the NLLB model's generate: its keyword arguments and the sequences it returned."""
    from transformers import M2M100ForConditionalGeneration

    calls: list[tuple[dict[str, Any], Any]] = []
    original = M2M100ForConditionalGeneration.generate

    def spy(self: Any, **kwargs: Any) -> Any:
        output = original(self, **kwargs)
        calls.append((kwargs, output))
        return output

    monkeypatch.setattr(M2M100ForConditionalGeneration, "generate", spy)
    yield calls


def test_transformers_serves_a_mixed_batch_with_one_model(
    tiny_nllb_dir: Path, tmp_path: Path, tokenizer: Any, generate_calls: list[tuple[dict[str, Any], Any]]
) -> None:
    backend = load(tiny_nllb_dir, tmp_path, "transformers")
    outputs = backend.generate(MIXED)
    assert len(generate_calls) == 1  # one generate call for the whole mixed batch
    kwargs, generated = generate_calls[0]
    sequences = generated.sequences  # asked with its scores (the confidence): a dict-like output
    assert kwargs["forced_bos_token_id"] == tokenizer.convert_tokens_to_ids(NLLB_TARGET)
    for row, mask, source in zip(kwargs["input_ids"], kwargs["attention_mask"], MIXED, strict=True):
        assert row[mask.bool()].tolist() == expected_ids(tokenizer, source)
    eng = tokenizer.convert_tokens_to_ids(NLLB_TARGET)
    assert all(row[:2].tolist() == [tokenizer.eos_token_id, eng] for row in sequences)  # start, eng_Latn
    decoded = [text.strip() for text in tokenizer.batch_decode(sequences, skip_special_tokens=True)]
    assert [output.text for output in outputs] == decoded  # in input order, one per source
    assert backend.generate([MIXED[3]])[0].new_tokens > 0
    assert int(generate_calls[1][0]["input_ids"][0, 0]) == tokenizer.convert_tokens_to_ids("jpn_Jpan")


class TranslatorSpy:
    """A CTranslate2 Translator that records what translate_batch is given and returns."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator
        self.calls: list[tuple[list[list[str]], dict[str, Any], list[list[str]]]] = []

    def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> Any:
        results = self.translator.translate_batch(tokens, **kwargs)
        self.calls.append((tokens, kwargs, [list(result.hypotheses[0]) for result in results]))
        return results


@pytest.fixture
def translators(monkeypatch: pytest.MonkeyPatch) -> list[TranslatorSpy]:
    import service.models.factory as factory

    spies: list[TranslatorSpy] = []
    original = factory.load_ct2_translator

    def load_spied(*args: Any) -> TranslatorSpy:
        spies.append(TranslatorSpy(original(*args)))
        return spies[-1]

    monkeypatch.setattr(factory, "load_ct2_translator", load_spied)
    return spies


def test_ctranslate2_serves_a_mixed_batch_with_one_model(
    tiny_nllb_dir: Path, tmp_path: Path, tokenizer: Any, translators: list[TranslatorSpy]
) -> None:
    backend = load(tiny_nllb_dir, tmp_path, "ctranslate2")
    assert backend.info.engine == "ctranslate2"
    outputs = backend.generate(MIXED)
    [spy] = translators
    tokens, kwargs, hypotheses = spy.calls[0]
    assert tokens == [tokenizer.convert_ids_to_tokens(expected_ids(tokenizer, s)) for s in MIXED]
    assert [row[0] for row in tokens] == ["zho_Hans", "fra_Latn", "zho_Hans", "jpn_Jpan"]
    assert all(row[-1] == "</s>" for row in tokens)
    assert kwargs["target_prefix"] == [[NLLB_TARGET]] * len(MIXED)
    assert all(hypothesis[0] == NLLB_TARGET for hypothesis in hypotheses)
    expected = [
        tokenizer.decode(tokenizer.convert_tokens_to_ids(h[1:]), skip_special_tokens=True).strip()
        for h in hypotheses
    ]
    assert [output.text for output in outputs] == expected  # in input order, one per source
    assert [output.new_tokens for output in outputs] == [len(h) - 1 for h in hypotheses]  # code dropped


def test_marian_gets_no_language_tokens_on_either_engine(
    tiny_marian_dir: Path, tmp_path: Path, translators: list[TranslatorSpy], monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers import MarianMTModel

    seen: list[dict[str, Any]] = []
    original = MarianMTModel.generate

    def spy(self: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(MarianMTModel, "generate", spy)
    sources = [Source("今年增长24.5%。", "zh")]
    assert len(load(tiny_marian_dir, tmp_path, "transformers").generate(sources)) == 1
    assert "forced_bos_token_id" not in seen[0]
    assert len(load(tiny_marian_dir, tmp_path, "ctranslate2").generate(sources)) == 1
    assert "target_prefix" not in translators[0].calls[0][1]
