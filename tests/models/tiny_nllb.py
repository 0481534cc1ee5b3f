"""A tiny random NLLB model built by the tests: saved like facebook/nllb-200-distilled-600M, so it loads
through the Auto classes as NllbTokenizer + M2M100 and converts to CTranslate2 as NLLB. Random weights."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from service.models.tiny import TINY_MARKER, TINY_SIZES

# One sentence per language the tests mix, so every language's text tokenizes into pieces of its own.
_SENTENCES = (
    "同安区质量强区大会召开，今年高技术产业增加值同比增长24.5%。",
    "Le conseil municipal a présenté le plan de développement de la ville.",
    "市の委員会が品質向上の計画を発表した。",
    "The district government held a meeting on quality development.",
    "Совет района представил план развития.",
    "El gobierno del distrito presentó el plan.",
)


def _corpus(lines: int, rng: random.Random) -> list[str]:
    """Shuffled words of the sentences: a few hundred lines for sentencepiece to learn pieces from."""
    corpus = list(_SENTENCES)
    for index in range(lines):
        sentence = _SENTENCES[index % len(_SENTENCES)]
        spaced = " " in sentence  # Chinese and Japanese are shuffled by character
        words = sentence.split() if spaced else list(sentence)
        rng.shuffle(words)
        corpus.append((" " if spaced else "").join(words))
    return corpus


def _tokenizer(directory: Path, corpus: list[str]) -> Any:
    """An NllbTokenizer from a sentencepiece BPE model, as NLLB ships one, with every FLORES code a special
    token (the hub's tokenizer.json lists them; a bare sentencepiece model does not)."""
    import sentencepiece as spm
    from transformers import AutoTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    with tempfile.TemporaryDirectory() as scratch:
        text_file = Path(scratch) / "corpus.txt"
        text_file.write_text("\n".join(corpus), encoding="utf-8")
        # sentencepiece's own ids (unk 0, bos 1, eos 2): NLLB's converter drops those three pieces and puts
        # fairseq's <s> <pad> </s> <unk> first, as in the real vocabulary.
        spm.SentencePieceTrainer.train(
            input=str(text_file),
            model_prefix=str(Path(scratch) / "sentencepiece.bpe"),
            model_type="bpe",
            vocab_size=600,
            character_coverage=1.0,
            hard_vocab_limit=False,
            minloglevel=2,
        )
        config = {"tokenizer_class": "NllbTokenizer"}
        (Path(scratch) / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
        tokenizer = AutoTokenizer.from_pretrained(scratch)
    tokenizer.add_tokens(list(FAIRSEQ_LANGUAGE_CODES), special_tokens=True)
    tokenizer.src_lang = "eng_Latn"  # rebuilds the template now that the code is a token of its own
    tokenizer.save_pretrained(directory)
    return tokenizer


def build_tiny_nllb(directory: Path, seed: int = 0, corpus_lines: int = 300) -> Path:
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = _tokenizer(directory, _corpus(corpus_lines, random.Random(seed)))
    # NLLB's ids: <s>=0, <pad>=1, </s>=2; the decoder starts from </s>, then the target language's code.
    config = M2M100Config(
        vocab_size=len(tokenizer),
        **TINY_SIZES,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        scale_embedding=True,
    )
    config.tokenizer_class = "NllbTokenizer"  # as in the hub's config.json
    torch.manual_seed(seed)
    M2M100ForConditionalGeneration(config).eval().save_pretrained(directory)
    (directory / TINY_MARKER).write_text(json.dumps({"random_weights": True, "seed": seed}), encoding="utf-8")
    return directory
