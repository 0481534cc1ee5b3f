"""Clean text made messy in the seed document's way: tone-marked pinyin in ASCII parentheses after some
Chinese characters (`質(zhì)量`), and half-width commas and semicolons between Chinese characters."""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any, cast

from pypinyin import Style, pinyin

from service.text.normalize import CJK_CHAR

# The seed carries pinyin after 469 of its 1,730 Chinese characters.
SEED_ANNOTATION_RATE = 469 / 1730
_CJK = re.compile(CJK_CHAR)
_HALF_WIDTH = str.maketrans({"，": ",", "；": ";"})


def make_noisy(text: str, *, rate: float = SEED_ANNOTATION_RATE, seed: int = 0) -> str:
    """`text` with pinyin after about `rate` of its Chinese characters; the same `seed`, the same noise."""
    chooser = random.Random(f"{seed}:{text}")
    # One reading per character: runs pypinyin cannot read come back split into their characters
    # (its stubs type the callback as returning str, but a list of readings is what it accepts).
    per_character = cast(Any, lambda run: [[ch] for ch in run])
    readings = pinyin(text, style=Style.TONE, errors=per_character)
    out: list[str] = []
    for ch, reading in zip(text, readings, strict=True):
        out.append(ch)
        if _CJK.fullmatch(ch) and _tone_marked(reading[0]) and chooser.random() < rate:
            out.append(f"({reading[0]})")
    return "".join(out).translate(_HALF_WIDTH)


def _tone_marked(reading: str) -> bool:
    """The seed annotates with tone marks; a toneless (neutral-tone) syllable is left unannotated."""
    return unicodedata.normalize("NFD", reading) != reading
