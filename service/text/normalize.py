"""Normalisation of scraped text, as pure functions.

Cleaning only deletes characters (annotations, surplus whitespace) or replaces one character by one
(half-width punctuation between CJK characters), so every cleaned character keeps a pointer to the
character it came from; segments can then quote the source exactly as received.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

CJK_RANGES = (
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # Unified Ideographs
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\U00020000-\U0002ebef"  # Extensions B-F
)
CJK_CHAR = f"[{CJK_RANGES}]"
_CJK_RE = re.compile(CJK_CHAR)

_TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_SYLLABLE_CHARS = f"a-zü{_TONE_MARKS}"
# A pinyin syllable in ASCII or full-width parentheses right after a CJK character: 質(zhì)量.
_RUBY_RE = re.compile(rf"(?<={CJK_CHAR})[(（]\s*([{_SYLLABLE_CHARS}]{{1,7}}[1-5]?)\s*[)）]")
_PINYIN_BASE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|er|in|ia|ie|iu"
    r"|ua|uo|ui|un|üe|ve|ue|ün|vn|a|o|e|i|u|ü|v)"
    r"|ng|n|m"
)
# Half-width marks that, between CJK characters, stand for their full-width forms. A figure or a
# closing quote before the mark counts as CJK context ("近50%,高技术"); a CJK character must follow.
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_CJK_OR_CLOSER = f"[{CJK_RANGES}”’」』）)》%0-9]"
_CJK_OR_OPENER = f"[{CJK_RANGES}“‘「『（(《]"
# A half-width mark is Chinese punctuation when Chinese is on one side and the other side is not
# English prose: 区,同 · 50%,高 · 协议;1970 · ZMapp,起初. Digits on both sides (1,000) never match.
_HALF_WIDTH_BETWEEN_CJK = re.compile(
    rf"(?<={_CJK_OR_CLOSER})[,;:?!](?=\s*{_CJK_OR_OPENER}|\s*$)"
    rf"|(?<=[{CJK_RANGES}])[,;:?!](?=[0-9A-Za-z])"
    rf"|(?<=[A-Za-z])[,;:?!](?=[{CJK_RANGES}])"
)


_PINYIN_WORD = re.compile(f"(?:{_PINYIN_BASE.pattern})+")


def reads_as_pinyin(word: str) -> bool:
    """True for a word made of toneless pinyin syllables, as romanised names are (`Guiliang`, `Tong'an`)."""
    plain = re.sub(r"['’-]", "", word.lower())
    return bool(plain) and _PINYIN_WORD.fullmatch(plain) is not None


def is_pinyin_syllable(candidate: str) -> bool:
    """True for one toned pinyin syllable: `zhì`, `lu:e` is not accepted, `zhi4` is, bare `de` is not."""
    has_digit = candidate[-1] in "12345"
    core = candidate[:-1] if has_digit else candidate
    has_mark = any(ch in _TONE_MARKS for ch in core)
    if not (has_digit or has_mark) or (has_digit and has_mark):
        return False
    base = "".join(
        ch for ch in unicodedata.normalize("NFD", core.replace("ü", "v")) if not unicodedata.combining(ch)
    )
    return _PINYIN_BASE.fullmatch(base) is not None


@dataclass(frozen=True)
class CleanedText:
    """Cleaned text plus, for each of its characters, the index of the original character."""

    text: str
    origin: tuple[int, ...]
    original: str
    removed_annotations: int

    def source_slices(self, spans: list[tuple[int, int]]) -> list[str]:
        """The original text of each cleaned span; together they tile the original paragraph.

        Each slice runs to where the next sentence starts, so annotations and spaces after a
        sentence's last character stay with that sentence and no original character is lost.
        """
        if not spans:
            return []
        starts = [0] + [self.origin[start] for start, _ in spans[1:]]
        ends = [*starts[1:], len(self.original)]
        return [self.original[begin:finish].strip() for begin, finish in zip(starts, ends, strict=True)]


def _deleted_positions(text: str) -> tuple[set[int], int]:
    deleted: set[int] = set()
    annotations = 0
    for match in _RUBY_RE.finditer(text):
        if is_pinyin_syllable(match.group(1)):
            deleted.update(range(match.start(), match.end()))
            annotations += 1
    return deleted, annotations


def _collapse_whitespace(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """One space for each run of whitespace, none at the ends.

    A space between CJK characters is kept: in slogans and headlines it separates phrases.
    """
    out: list[tuple[str, int]] = []
    for ch, pos in chars:
        if not ch.isspace():
            out.append((ch, pos))
        elif out and out[-1][0] != " ":
            out.append((" ", pos))
    if out and out[-1][0] == " ":
        out.pop()
    return out


def clean(paragraph: str) -> CleanedText:
    """Remove pinyin ruby and surplus whitespace; read half-width punctuation between CJK as full-width."""
    deleted, annotations = _deleted_positions(paragraph)
    kept = [(ch, pos) for pos, ch in enumerate(paragraph) if pos not in deleted]
    kept = _collapse_whitespace(kept)
    text = "".join(ch for ch, _ in kept)
    chars = list(text)
    for match in _HALF_WIDTH_BETWEEN_CJK.finditer(text):
        chars[match.start()] = _FULL_WIDTH[match.group()]
    return CleanedText(
        text="".join(chars),
        origin=tuple(pos for _, pos in kept),
        original=paragraph,
        removed_annotations=annotations,
    )


def as_received(paragraph: str) -> CleanedText:
    """The paragraph untouched: for measuring what `clean` wins back (the evaluation's noisy suite)."""
    return CleanedText(
        text=paragraph, origin=tuple(range(len(paragraph))), original=paragraph, removed_annotations=0
    )


def unicode_normalize(text: str) -> str:
    """NFC, and one line ending style; done on the whole input before anything else."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are the input's non-empty lines."""
    return [line for line in text.split("\n") if line.strip()]


@lru_cache(maxsize=4)
def _opencc(config: str) -> Any:
    import opencc  # local: the converter loads its dictionaries when first built

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC t2s); other scripts pass through unchanged."""
    if not _CJK_RE.search(text):
        return text
    return str(_opencc("t2s").convert(text))


def han_runs(text: str) -> tuple[str, ...]:
    """Each run of CJK ideographs, once, in order: 'the 预制菜 and 新兴产业' -> ('预制菜', '新兴产业')."""
    return tuple(dict.fromkeys(re.findall(f"{CJK_CHAR}+", text)))


def has_han(text: str) -> bool:
    """Whether the text holds any CJK ideograph."""
    return _CJK_RE.search(text) is not None


def han_characters(text: str) -> str:
    """The CJK ideographs of a text, in order; used to prove none was dropped."""
    return "".join(_CJK_RE.findall(text))


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffd]")
# What XML 1.0 cannot hold at all, not even escaped: C0 controls but tab and newlines, lone surrogates,
# U+FFFE and U+FFFF. A model may still emit one, and a person's correction may carry one (pasted).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML (so .html, .docx, TMX) cannot hold."""
    return _NOT_XML.sub("", text)


# Chinese punctuation in English output, and its English form. Where a fragment the model left in Chinese
# is put in English on its own (pipeline/repair.py), the Chinese mark beside it stays: the seed's slogan came
# out as "Quality collaboration ， Together for a Better Future".
_ENGLISH_MARK = {"，": ",", "、": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?"}
_TAGS_AT_END, _TAGS_AT_START = re.compile(r"(?:<[^<>]*>\s*)+$"), re.compile(r"^(?:\s*<[^<>]*>)+")
_CHINESE_MARK = re.compile(r"\s*([{}])\s*".format("".join(_ENGLISH_MARK)))


def _english_mark(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    after = text[end : end + 1]
    # The nearest characters that are not inline markup's tags (你好<b>世界</b>。).
    before, beyond = _TAGS_AT_END.sub("", text[:start])[-1:], _TAGS_AT_START.sub("", text[end:])[:1]
    if _CJK_RE.match(before) or _CJK_RE.match(beyond):
        return match.group(0)  # beside Chinese (quoted, or left untranslated): its own punctuation
    space = " " if after and (after.isalnum() or after in "“‘(\"'") else ""
    return _ENGLISH_MARK[match.group(1)] + space


def tidy_output(text: str) -> str:
    """Model output without control characters or replacement marks, whitespace collapsed, and Chinese
    punctuation outside Chinese text in its English form."""
    return _CHINESE_MARK.sub(_english_mark, " ".join(_CONTROL.sub("", text).split())).strip()
