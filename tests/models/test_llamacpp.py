"""The llama.cpp engine on a tiny random GGUF model, loaded through the same code as the PyPI packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.models.backend import Generation, ModelUnavailable, Source, SteppingBackend
from service.models.factory import ModelRequest, choose_engine, load_backend
from service.models.llamacpp import LlamaCppBackend
from service.settings import Settings

SENTENCES = [
    "同安区委副书记、区长周桂良参加会议。",
    "高技术产业增加值同比增长24.5%。",
    "The district government held a meeting.",
    "厦门市市场监管局局长许国华参加会议。",
    "质量强区大会召开。",
]


def load(gguf: Path, cache: Path, **settings: object) -> LlamaCppBackend:
    options = {"model_cache": cache, "max_batch_size": 3} | settings
    backend = load_backend(ModelRequest(str(gguf), "causal", "translate", "test"), Settings(**options))  # type: ignore[arg-type]
    assert isinstance(backend, LlamaCppBackend)
    return backend


@pytest.fixture(scope="module")
def backend(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> LlamaCppBackend:
    return load(tiny_gguf, tmp_path_factory.mktemp("cache"))


def test_auto_runs_a_gguf_file_as_it_is_on_llama_cpp(tiny_gguf: Path, tmp_path: Path) -> None:
    backend = load(tiny_gguf, tmp_path / "cache")
    assert backend.info.engine == "llama.cpp"
    assert backend.info.prompted and backend.info.random_weights
    assert backend.info.prompts == ("qwen/summarize.v3", "qwen/translate.v6")
    assert isinstance(backend, SteppingBackend) and backend.slots == 3
    # No dequantized copy, no conversion: the cache holds nothing of it.
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*"))


def test_llama_cpp_is_only_for_gguf_files() -> None:
    assert choose_engine("auto", "/models/qwen.gguf") == "llama.cpp"
    assert choose_engine("llama.cpp", "/models/qwen.gguf") == "llama.cpp"
    with pytest.raises(ModelUnavailable, match="GGUF files only"):
        choose_engine("llama.cpp", "Helsinki-NLP/opus-mt-zh-en")


def test_a_missing_or_broken_gguf_file_is_model_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="does not exist"):
        load(tmp_path / "absent.gguf", tmp_path)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(ModelUnavailable, match="could not read"):
        load(broken, tmp_path)


def test_tokens_are_counted_with_the_models_own_vocabulary(backend: LlamaCppBackend) -> None:
    assert backend.count_tokens("") == 0
    assert 0 < backend.count_tokens(SENTENCES[0]) <= len(SENTENCES[0].encode())
    # Chat markers in a source are text, not control tokens: they cost more than one token each.
    assert backend.count_tokens("<|im_end|>") > 1


def test_a_shared_head_is_evaluated_once_and_then_taken_from_the_cache(
    tiny_gguf: Path, tmp_path: Path
) -> None:
    """The first item pays for the prompt head it makes; the next ones read only what is their own."""
    backend = load(tiny_gguf, tmp_path)
    first, second = (backend.generate([Source(text)])[0] for text in SENTENCES[:2])
    own = backend.count_tokens(SENTENCES[1])
    assert second.cached_prompt_tokens > 0 and second.prompt_tokens < own + 16
    assert first.prompt_tokens >= second.cached_prompt_tokens  # the head counted where it was made
    assert first.prompt_tokens + first.cached_prompt_tokens > second.prompt_tokens


def test_a_follow_up_reads_only_its_question_and_answers_as_if_asked_afresh(
    tiny_gguf: Path, tmp_path: Path
) -> None:
    """A fragment asked as the next turn of its sentence's conversation: the conversation is still in the
    cache, so only the question is read; the answer is the one a cold engine gives the whole prompt."""
    backend = load(tiny_gguf, tmp_path / "warm")
    sentence = Source(SENTENCES[0], glossary=(("周桂良", "Zhou Guiliang"),))
    [first] = backend.generate([sentence])
    assert first.raw and backend.conversations_cached() == 1
    question = Source("区长", context=SENTENCES[0], glossary=sentence.glossary, follows=(sentence, first.raw))
    [followed] = backend.generate([question])
    [alone] = load(tiny_gguf, tmp_path / "cold").generate([question])
    assert alone.text == followed.text
    whole = alone.prompt_tokens  # a cold engine reads every token (its head too, once, for later items)
    assert whole == followed.prompt_tokens + followed.cached_prompt_tokens
    # The sentence's conversation came from the cache: at least its sentence and terms were not read again.
    # (The tiny model's reply is random bytes that do not tokenize back the same: a real one's does.)
    assert followed.prompt_tokens <= whole - backend.count_tokens(SENTENCES[0] + "周桂良 = Zhou Guiliang")


def test_a_batch_gives_each_item_what_it_gets_alone(backend: LlamaCppBackend) -> None:
    """Shared cache, copied prompt heads and interleaved prefill change nothing in any output."""
    # Not kept conversations: an item sent again would start from its own earlier prompt, whose cache was
    # computed in another batch shape; llama.cpp is not bit-identical across shapes, and this random model
    # drifts from a near-tie after some 60 tokens (a real model's answer does not hinge on one).
    backend.keep_conversations(0)
    sources = [Source(text) for text in SENTENCES]
    alone = [backend.generate([source])[0] for source in sources]
    together = backend.generate(sources)  # five items in three slots: two join as others finish
    assert [(g.text, g.new_tokens) for g in together] == [(g.text, g.new_tokens) for g in alone]
    assert len({generation.text for generation in alone}) > 1  # outputs differ: the check has teeth
    assert all(0 < generation.new_tokens <= 3 * 40 + 16 for generation in alone)


def test_sharing_prompt_heads_changes_no_output(tiny_gguf: Path, tmp_path: Path) -> None:
    shared = load(tiny_gguf, tmp_path)
    unshared = load(tiny_gguf, tmp_path)
    unshared.min_prefix = 10**6  # every prompt evaluated from its first token
    sources = [Source(text, glossary=(("同安区", "Tong'an District"),)) for text in SENTENCES[:3]]
    with_heads, without = shared.generate(sources), unshared.generate(sources)
    assert [(g.text, g.new_tokens) for g in with_heads] == [(g.text, g.new_tokens) for g in without]
    assert shared.prefixes_cached() >= 1 and unshared.prefixes_cached() == 0
    assert sum(g.prompt_tokens for g in with_heads) < sum(g.prompt_tokens for g in without)


def test_one_model_serves_both_tasks(backend: LlamaCppBackend) -> None:
    outputs = backend.generate([Source("Output grew 24.5%.", "en", task="summarize"), Source(SENTENCES[1])])
    assert len(outputs) == 2 and all(isinstance(output, Generation) for output in outputs)


def test_steps_take_items_in_and_a_cancelled_item_leaves_its_slot(backend: LlamaCppBackend) -> None:
    first = backend.step([("a", Source(SENTENCES[0])), ("b", Source(SENTENCES[1]))], ())
    assert first == []  # nothing finishes in its first step
    assert backend.busy_slots() == 2
    backend.step([], ["a"])
    assert backend.busy_slots() == 1
    finished: list[object] = []
    while backend.busy_slots():
        finished += [key for key, _ in backend.step([], ())]
    assert finished == ["b"]
    assert backend.generate([Source(SENTENCES[2])])  # the freed slots serve the next caller


def test_an_item_too_long_for_the_cache_fails_alone(backend: LlamaCppBackend) -> None:
    long = Source("同安区" * 4000)
    results = dict(backend.step([("long", long), ("short", Source(SENTENCES[4]))], ()))
    assert isinstance(results.get("long"), ValueError)
    while backend.busy_slots():
        results.update(backend.step([], ()))
    assert isinstance(results["short"], Generation)


def test_each_output_carries_the_log_probability_of_its_tokens(tiny_gguf: Path, tmp_path: Path) -> None:
    """What a segment's confidence rests on, against an independent greedy decode of the same prompt on a
    context of its own, one token at a time, scored with scipy's log-softmax: batching, shared heads and
    prefill interleaving change none of it."""
    import numpy as np
    from scipy.special import log_softmax

    from service.models.llama_native import BatchEntry

    backend = load(tiny_gguf, tmp_path)
    sources = [Source(text) for text in SENTENCES[:3]]
    outputs = backend.generate(sources)
    model = backend._model
    context = model.context(2048, 512, 1, 1)
    for source, output in zip(sources, outputs, strict=True):
        context.clear()
        prompt = backend._prompt_tokens(source)
        entries = [BatchEntry(token, i, 0, i == len(prompt) - 1) for i, token in enumerate(prompt)]
        context.decode(entries)
        scores: list[float] = []
        position = len(prompt)
        while len(scores) < output.new_tokens:
            row = log_softmax(np.array(context._logits(0 if scores else len(prompt) - 1), dtype=np.float64))
            token = int(row.argmax())
            scores.append(float(row[token]))
            context.decode([BatchEntry(token, position, 0, True)])
            position += 1
        assert output.mean_logprob == pytest.approx(sum(scores) / len(scores), abs=1e-2)
        assert output.min_logprob == pytest.approx(min(scores), abs=1e-2)
    context.close()


def test_a_documents_examples_are_in_the_head_its_sentences_share(tiny_gguf: Path, tmp_path: Path) -> None:
    """Examples are evaluated once per document: the second sentence takes them from the cache."""
    examples = (("厦门市同安区召开质量强区大会。", "Tong'an District of Xiamen held a quality conference."),)
    cached = {}
    for shown in ((), examples):
        backend = load(tiny_gguf, tmp_path)
        first, second = (backend.generate([Source(text, examples=shown)])[0] for text in SENTENCES[:2])
        cached[shown] = second.cached_prompt_tokens
        assert first.prompt_tokens > second.prompt_tokens
    example_tokens = sum(map(backend.count_tokens, examples[0]))
    assert cached[examples] >= cached[()] + example_tokens
