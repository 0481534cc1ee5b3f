"""The causal-LM path on a tiny random Qwen2 model built here, on both engines, through load_backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.models.backend import Source
from service.models.causal import ChatPrompter
from service.models.factory import ModelRequest, load_backend, model_family
from service.models.prompts import default_prompts_dir, load_prompt
from service.settings import Settings
from tests.models.tiny_causal import build_tiny_qwen


@pytest.fixture(scope="module")
def tiny_qwen_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_qwen(tmp_path_factory.mktemp("tiny-qwen"))


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_tiny_qwen_generates_on_each_engine(tiny_qwen_dir: Path, tmp_path: Path, engine: str) -> None:
    settings = Settings(backend=engine, model_cache=tmp_path)  # type: ignore[arg-type]
    backend = load_backend(ModelRequest(str(tiny_qwen_dir), "seq2seq", "translate", "test"), settings)
    assert backend.info.engine == engine
    assert backend.info.prompted is True
    sources = [
        Source("同安区召开会议。", glossary=(("同安区", "Tong'an District"),)),
        Source("高技术产业增加值同比增长24.5%。", strict=True),
    ]
    outputs = backend.generate(sources)
    assert len(outputs) == 2
    assert all(0 < output.new_tokens <= 3 * 40 + 16 for output in outputs)
    assert backend.generate(sources[:1]) == backend.generate(sources[:1])  # greedy: deterministic
    assert backend.count_tokens("同安区") >= 1


def test_conversion_to_ctranslate2_is_cached(tiny_qwen_dir: Path, tmp_path: Path) -> None:
    settings = Settings(backend="ctranslate2", model_cache=tmp_path)
    load_backend(ModelRequest(str(tiny_qwen_dir), "causal", "translate", "test"), settings)
    converted = list((tmp_path / "ct2").iterdir())
    assert len(converted) == 1 and (converted[0] / "model.bin").is_file()
    stamp = (converted[0] / "model.bin").stat().st_mtime_ns
    load_backend(ModelRequest(str(tiny_qwen_dir), "causal", "translate", "test"), settings)
    assert (converted[0] / "model.bin").stat().st_mtime_ns == stamp


def test_prompt_goes_through_the_chat_template(tiny_qwen_dir: Path) -> None:
    from transformers import AutoTokenizer

    prompter = ChatPrompter(
        AutoTokenizer.from_pretrained(tiny_qwen_dir), load_prompt(default_prompts_dir(), "qwen", "translate")
    )
    prompt = prompter.prompt(Source("周桂良参加会议。", glossary=(("周桂良", "Zhou Guiliang"),)))
    assert prompt.startswith("<|im_start|>system\n")
    assert prompt.endswith("周桂良参加会议。<|im_end|>\n<|im_start|>assistant\n")
    assert "周桂良 = Zhou Guiliang" in prompt
    ids = prompter.tokens.unlocked.encode("Zhou attended.<|im_end|>junk", add_special_tokens=False)
    finished = prompter.finish(ids)
    assert finished.text == "Zhou attended."


def test_model_family_comes_from_the_models_own_config(tiny_qwen_dir: Path, tiny_marian_dir: Path) -> None:
    assert model_family(str(tiny_qwen_dir), "seq2seq") == "causal"
    assert model_family(str(tiny_marian_dir), "causal") == "seq2seq"
    assert model_family("some/hub-id", "seq2seq") == "seq2seq"
    assert model_family("/models/x.gguf", "seq2seq") == "causal"


def test_one_loaded_model_serves_both_tasks_each_with_its_template(
    tiny_qwen_dir: Path, tmp_path: Path
) -> None:
    settings = Settings(backend="ctranslate2", model_cache=tmp_path)
    backend = load_backend(ModelRequest(str(tiny_qwen_dir), "causal", "translate", "test"), settings)
    assert backend.info.prompts == ("qwen/summarize.v3", "qwen/translate.v6")
    assert backend.info.prompt_for("summarize") == "qwen/summarize.v3"
    assert backend.info.prompt_for("translate") == "qwen/translate.v6"
    summary = Source("Output grew 24.5% this year. " * 20, "en", task="summarize")
    (alone,) = backend.generate([summary])
    assert alone.new_tokens <= 80  # a bullet's budget, whatever the input's length
    assert "\n" not in alone.text  # the summary template stops at the first line break
    assert len(backend.generate([summary, Source("同安区召开会议。")])) == 2  # tasks mix in one batch


def test_the_prompt_follows_the_task(tiny_qwen_dir: Path) -> None:
    from transformers import AutoTokenizer

    from service.models.prompts import load_family

    prompter = ChatPrompter(
        AutoTokenizer.from_pretrained(tiny_qwen_dir), load_family(default_prompts_dir(), "qwen")
    )
    assert "bullet point" in prompter.prompt(Source("Output grew 24.5%.", "en", task="summarize"))
    assert "Translate the following Chinese text" in prompter.prompt(Source("同安区召开会议。"))
    with pytest.raises(ValueError, match="no prompt template"):
        ChatPrompter(
            AutoTokenizer.from_pretrained(tiny_qwen_dir),
            load_prompt(default_prompts_dir(), "qwen", "translate"),
        ).prompt(Source("x", task="summarize"))
