"""Tiny random Marian and BART models, built locally, for tests and smoke runs of the `tiny` profile.

Everything a real Marian checkpoint has is here (two sentencepiece models, a vocabulary, a config,
weights saved with `save_pretrained`), so the tiny model goes through the same loading code as
Helsinki-NLP/opus-mt-zh-en; likewise the tiny BART (a byte-level BPE vocabulary and merges) for
sshleifer/distilbart-cnn-12-6. Their weights are random: their output is noise, and responses say so.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

TINY_MARKER = "gazette-tiny.json"
_ENGLISH_WORDS = (
    "the district government held a meeting on quality development and industry in the city "
    "province council ministry report market regulation administration director mayor "
    "secretary committee growth percent year enterprise product standard brand innovation "
    "policy support national public health energy battery food equipment export service "
    "project plan work people life progress new strong high technology value chain supply key "
    "leading group member unit team build promote improve deepen implement strategy reform law "
    "safety system mechanism culture award "
).split()


# Both tiny seq2seq models (Marian translator, BART summariser) share one size: small enough to build in
# seconds, real enough to go through the same loading and conversion code as real models.
TINY_SIZES: dict[str, Any] = {
    "d_model": 32,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 512,
}


def _chinese_alphabet() -> list[str]:
    """The 3,755 level-1 GB2312 characters: the commonest Simplified Chinese characters."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def _corpus(lines: int, rng: random.Random) -> list[str]:
    alphabet = _chinese_alphabet()
    punctuation = "，。、；：“”（）%"
    corpus = []
    for index in range(lines):
        if index % 2 == 0:
            size = rng.randint(12, 40)
            text = "".join(rng.choice(alphabet) for _ in range(size))
            corpus.append(text + rng.choice(punctuation) + str(rng.randint(1, 2030)) + "。")
        else:
            words = [rng.choice(_ENGLISH_WORDS) for _ in range(rng.randint(5, 16))]
            corpus.append(" ".join(words).capitalize() + f" {rng.randint(1, 100)}.5%.")
    return corpus


def _train_sentencepiece(corpus: list[str], prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    text_file = prefix.with_suffix(".txt")
    text_file.write_text("\n".join(corpus), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(text_file),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        character_coverage=0.9995,
        byte_fallback=True,  # any character outside the small vocabulary still round-trips
        hard_vocab_limit=False,
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        pad_id=-1,
        minloglevel=2,
    )


def build_tiny_marian(directory: Path, seed: int = 0, corpus_lines: int = 400) -> Path:
    """Train a sentencepiece model, build a 2-layer Marian model, save both into `directory`."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "spm"
        _train_sentencepiece(_corpus(corpus_lines, rng), prefix, vocab_size=4000)
        processor = spm.SentencePieceProcessor(model_file=str(prefix) + ".model")
        pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        vocab = {piece: index for index, piece in enumerate(pieces)}
        vocab["<pad>"] = len(vocab)
        for name in ("source.spm", "target.spm"):
            shutil.copy(str(prefix) + ".model", directory / name)
        (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(directory / "source.spm"),
        target_spm=str(directory / "target.spm"),
        vocab=str(directory / "vocab.json"),
        source_lang="zh",
        target_lang="en",
    )
    tokenizer.save_pretrained(directory)
    pad_id = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        **TINY_SIZES,
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
    )
    torch.manual_seed(seed)
    MarianMTModel(config).eval().save_pretrained(directory)
    (directory / TINY_MARKER).write_text(json.dumps({"random_weights": True, "seed": seed}), encoding="utf-8")
    return directory


def is_tiny_model(directory: Path) -> bool:
    return (directory / TINY_MARKER).is_file()


def build_tiny_bart(directory: Path, seed: int = 0, corpus_lines: int = 400) -> Path:
    """Train a byte-level BPE vocabulary on English lines, build a 2-layer BART model, save both."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    english = [line for line in _corpus(2 * corpus_lines, rng) if line.isascii()]
    bpe = ByteLevelBPETokenizer()
    # BART's own special tokens, in BART's order: <s>=0, <pad>=1, </s>=2, <unk>=3, <mask>=4.
    bpe.train_from_iterator(
        english, vocab_size=1000, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    )
    with tempfile.TemporaryDirectory() as scratch:
        vocab, merges = bpe.save_model(scratch)
        tokenizer = BartTokenizer(vocab_file=vocab, merges_file=merges)
        tokenizer.save_pretrained(directory)
    config = BartConfig(
        vocab_size=len(tokenizer),
        **TINY_SIZES,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
    )
    # BART is post-norm; CTranslate2's converter reads this flag, which transformers 5 no longer sets
    # (the hub's BART checkpoints carry it in their config.json).
    config.normalize_before = False
    torch.manual_seed(seed)
    BartForConditionalGeneration(config).eval().save_pretrained(directory)
    (directory / TINY_MARKER).write_text(json.dumps({"random_weights": True, "seed": seed}), encoding="utf-8")
    return directory


def padded_vocabulary(pieces: list[str], vocab_size: int) -> dict[str, int]:
    """The sentencepiece pieces, filler tokens, then `<pad>` last: exactly `vocab_size` entries.

    opus-mt-zh-en's vocabulary has 65,001 entries with `<pad>` the last; a sentencepiece model trained on
    a few hundred lines has far fewer pieces, so fillers (never produced by the tokenizer) make up the rest
    and the embedding and output layers get the real model's size.
    """
    if len(pieces) + 1 > vocab_size:
        raise ValueError(f"{len(pieces)} pieces and <pad> do not fit in {vocab_size} entries")
    vocab = {piece: index for index, piece in enumerate(pieces)}
    for index in range(len(vocab), vocab_size - 1):
        vocab[f"<filler-{index}>"] = index
    vocab["<pad>"] = vocab_size - 1
    return vocab


def _marian_tokenizer_of_size(directory: Path, vocab_size: int, seed: int, corpus_lines: int) -> int:
    """Sentencepiece models, a vocabulary padded to `vocab_size` and a MarianTokenizer; the pad id."""
    import sentencepiece as spm
    from transformers import MarianTokenizer

    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "spm"
        _train_sentencepiece(_corpus(corpus_lines, random.Random(seed)), prefix, vocab_size=8000)
        processor = spm.SentencePieceProcessor(model_file=str(prefix) + ".model")
        vocab = padded_vocabulary(
            [processor.id_to_piece(i) for i in range(processor.get_piece_size())], vocab_size
        )
        for name in ("source.spm", "target.spm"):
            shutil.copy(str(prefix) + ".model", directory / name)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    MarianTokenizer(
        source_spm=str(directory / "source.spm"),
        target_spm=str(directory / "target.spm"),
        vocab=str(directory / "vocab.json"),
        source_lang="zh",
        target_lang="en",
    ).save_pretrained(directory)
    return vocab["<pad>"]


def build_marian_of_shape(
    directory: Path,
    sizes: dict[str, Any],
    vocab_size: int,
    *,
    seed: int = 0,
    corpus_lines: int = 2000,
    weights: bool = True,
) -> Path:
    """A random-weight Marian model of a given shape (`sizes`: MarianConfig fields) and vocabulary size.

    Built like the tiny Marian (sentencepiece models, vocab.json, tokenizer, config, weights), so it loads
    and converts exactly as a real checkpoint of that shape would: what it measures is the shape's cost.
    `weights=False` writes everything but the weights, to check the shape without building hundreds of MB.
    """
    from transformers import MarianConfig

    directory.mkdir(parents=True, exist_ok=True)
    pad_id = _marian_tokenizer_of_size(directory, vocab_size, seed, corpus_lines)
    config = MarianConfig(
        vocab_size=vocab_size,
        **sizes,
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
    )
    if weights:
        import torch
        from transformers import MarianMTModel

        torch.manual_seed(seed)
        MarianMTModel(config).eval().save_pretrained(directory)
    else:
        config.save_pretrained(directory)
    marker = {"random_weights": True, "seed": seed, "shape": sizes, "vocab_size": vocab_size}
    (directory / TINY_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return directory
