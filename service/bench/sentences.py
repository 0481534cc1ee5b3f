"""The sentences the bench sends: FLORES-200 devtest zho_Hans of a set length in tokens, or synthetic ones.

FLORES is read straight from its gzip file (it is never written out, and the bench does not import the
evaluation harness). Length is counted with the model's own tokenizer, so "32–40 tokens" means what the
model sees, whatever model is measured.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

FLORES_ZHO_HANS = Path("flores200") / "zho_Hans.devtest.gz"
TOKEN_RANGE = (32, 40)
POOL_SIZE = 256

# The service splits sentences on these marks: a line holding one before its end would be two sentences'
# work for one request, and the figures are per sentence.
_SPLITTING = re.compile(r"[。！？；…!?;]")

# Government-news clauses; joined at random, they make sentences of any length when FLORES is absent.
_CLAUSES = (
    "厦门市同安区召开质量强区大会",
    "区长周桂良出席会议并讲话",
    "全年地区生产总值增长百分之六点五",
    "会议强调要坚持深化改革",
    "推动制造业高质量发展",
    "进一步提升城市治理水平",
    "加强食品药品安全监管",
    "新能源电池出口额同比增长二成",
    "完善基层公共卫生服务体系",
    "支持企业加大技术创新投入",
    "省政府办公厅印发实施方案",
    "各部门要抓好工作落实",
)


@dataclass(frozen=True)
class SentencePool:
    sentences: tuple[str, ...]
    tokens: tuple[int, ...]  # each sentence's length in the model's tokens
    origin: str  # where they came from, for the report


def read_flores(data_dir: Path | None) -> list[str] | None:
    """The zho_Hans devtest lines, or None where the evaluation data is not here."""
    if data_dir is None or not (data_dir / FLORES_ZHO_HANS).is_file():
        return None
    with gzip.open(data_dir / FLORES_ZHO_HANS, "rt", encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def one_sentence(text: str) -> bool:
    return _SPLITTING.search(text[:-1]) is None


def synthetic_sentences(count: int, seed: int = 0) -> list[str]:
    """Sentences of two to six clauses, varied enough to span the token range of any tokenizer."""
    rng = random.Random(seed)
    return ["，".join(rng.sample(_CLAUSES, rng.randint(2, 6))) + "。" for _ in range(count)]


def choose(
    candidates: Sequence[str], count_tokens: Callable[[str], int], want: int, minimum: int
) -> tuple[list[str], list[int]]:
    """Up to `want` candidates within TOKEN_RANGE, in their order; topped up to `minimum` with the nearest
    ones outside it, so a tokenizer that splits unusually still gets a bench (the report shows the range)."""
    low, high = TOKEN_RANGE
    counted = [(text, count_tokens(text)) for text in dict.fromkeys(candidates) if one_sentence(text)]
    inside = [(text, n) for text, n in counted if low <= n <= high][:want]
    if len(inside) < minimum:
        outside = sorted((pair for pair in counted if pair not in inside), key=lambda p: abs(p[1] - low))
        inside += outside[: minimum - len(inside)]
    return [text for text, _ in inside], [n for _, n in inside]


def pick_sentences(
    count_tokens: Callable[[str], int], data_dir: Path | None, minimum: int, want: int = POOL_SIZE
) -> SentencePool:
    low, high = TOKEN_RANGE
    lines = read_flores(data_dir)
    if lines is not None:
        texts, tokens = choose(lines, count_tokens, want, 0)
        if len(texts) >= minimum:
            origin = f"FLORES-200 devtest zho_Hans, {len(texts)} of {len(lines)} lines of {low}-{high} tokens"
            return SentencePool(tuple(texts), tuple(tokens), origin)
        why = f"only {len(texts)} FLORES lines of {low}-{high} tokens"
    else:
        why = "the evaluation data folder (FLORES-200) is not here"
    texts, tokens = choose(synthetic_sentences(20 * want), count_tokens, want, minimum)
    return SentencePool(tuple(texts), tuple(tokens), f"synthetic Chinese sentences ({why})")
