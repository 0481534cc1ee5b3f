"""Numbers in Chinese and English text, read as values, so that '24.5%', '百分之二十四点五' and
'24.5 percent', or '1.2万' and '12,000', compare equal.

Used to check that a translation carries every number of its source over, and that a summary bullet
states no number its cited sentences do not.

The value 1 is ignored when written as a word ('one', 'first', 一): in both languages it is far more
often an article or an idiom ('a meeting', 一链一策) than a figure, and treating it as one would flood
the checks with false alarms. Written as a digit it counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "twice": 2, "thrice": 3, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("January February March April May June July August September October November December").split(),
        start=1,
    )
}
_CHINESE_MULTIPLIERS = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 1000}
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
# A Chinese numeral counts as a figure only before a measure word or unit (四大目标, 两家, 十一项) or
# after 第; elsewhere (统一, 一体化, 千万) it is part of a word.
_MEASURES = "个项条名家年月日号次位人倍届场所件款元批类种大座支份期成"

_WORD = "|".join(sorted([*_SMALL, *_ORDINALS, *_SCALES], key=len, reverse=True))
_DIGITS = re.compile(
    r"(?<![A-Za-z0-9.])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?:多|余)?(?P<cn_scale>万亿|亿|万|千)|\s+(?P<en_scale>thousand|million|billion|trillion)\b"
    r"|(?P<ordinal>st|nd|rd|th)\b|(?P<tenths>成))?"
    r"(?P<percent>\s*(?:%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
_WORDS = re.compile(rf"\b(?:{_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD}))*\b", re.IGNORECASE)
_MONTH = re.compile(
    r"\b(?P<month>"
    + "|".join(_MONTHS)
    + r")\b(?=\s+\d{1,2}\b|\s+\d{4}\b)|(?<=[a-z,] )(?P<may>May)\b|\b(?P<named>"
    + "|".join(name for name in _MONTHS if name != "May")
    + r")\b"
)
_CHINESE_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
_PERCENT_CN = re.compile(rf"百分之(?P<number>[{_CHINESE_NUMERAL}点]+|\d+(?:\.\d+)?)")
_CHINESE = re.compile(rf"(?P<ordinal>第)?(?P<number>[{_CHINESE_NUMERAL}]+)(?=(?P<measure>[{_MEASURES}])?)")


@dataclass(frozen=True)
class Mention:
    """A number as written (`surface`) and its value."""

    surface: str
    value: Decimal


def numbers_in(text: str) -> list[Mention]:
    """Every number in `text`, in order of appearance; Chinese and English forms alike."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, Mention]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, value: Decimal | None) -> None:
        if value is None or any(start < stop and begin < end for begin, stop in taken):
            return
        taken.append((start, end))
        found.append((start, Mention(text[start:end].strip(), value)))

    for match in _DIGITS.finditer(text):
        add(match.start(), match.end(), _digits_value(match))
    for match in _PERCENT_CN.finditer(text):
        add(match.start(), match.end(), _chinese_or_digits(match.group("number")))
    for match in _CHINESE.finditer(text):
        add(match.start(), match.end(), _chinese_figure(match))
    for match in _WORDS.finditer(text):
        add(match.start(), match.end(), _words_value(match.group(0)))
    for match in _MONTH.finditer(text):
        add(
            match.start(),
            match.end(),
            Decimal(_MONTHS[match.group("month") or match.group("may") or match.group("named")]),
        )
    return [mention for _, mention in sorted(found, key=lambda pair: pair[0])]


def unsupported_numbers(claim: str, evidence: Iterable[str]) -> list[str]:
    """Numbers in `claim` (as written there) whose value stands in none of the `evidence` texts."""
    known = {mention.value for text in evidence for mention in numbers_in(text)}
    return [mention.surface for mention in numbers_in(claim) if mention.value not in known]


def overused_numbers(claim: str, evidence: Iterable[str]) -> list[str]:
    """Numbers `claim` states more often than any one of the `evidence` texts does: a figure its source
    gives once and a summary gives twice is attached, the second time, to something it does not measure
    ("A grew 24.5%, and B grew 24.5%" from "A is near 50%, B grew 24.5%")."""
    most: Counter[Decimal] = Counter()
    for text in evidence:
        most |= Counter(mention.value for mention in numbers_in(text))  # | keeps the larger count
    claimed = numbers_in(claim)
    stated = Counter(mention.value for mention in claimed)
    over = [mention.surface for mention in claimed if 0 < most[mention.value] < stated[mention.value]]
    return list(dict.fromkeys(over))


def missing_numbers(source: str, translation: str) -> list[str]:
    """Numbers of `source` (as written there) that its translation does not carry over."""
    return unsupported_numbers(source, [translation])


def _digits_value(match: re.Match[str]) -> Decimal | None:
    try:
        value = Decimal(match.group("number").replace(",", ""))
    except InvalidOperation:
        return None
    if match.group("cn_scale"):
        value *= _CHINESE_MULTIPLIERS[match.group("cn_scale")]
    elif match.group("en_scale"):
        value *= _SCALES[match.group("en_scale").lower()]
    elif match.group("tenths"):  # 6成 is 60%
        value *= 10
    elif value == 1 and text_after(match, "倍"):  # 增长1倍 is "doubled": no 1 in the English
        return None
    return value


def text_after(match: re.Match[str], expected: str) -> bool:
    return match.string.startswith(expected, match.end())


def _words_value(phrase: str) -> Decimal | None:
    """'twenty-four' → 24, 'one hundred and five' → 105, 'two million' → 2000000; a lone 'one' → None."""
    words = [word for word in re.split(r"[\s-]+", phrase.lower()) if word != "and"]
    if words in (["one"], ["first"]):
        return None
    total, current = 0, 0
    for word in words:
        if word in _SMALL or word in _ORDINALS:
            current += _SMALL.get(word, _ORDINALS.get(word, 0))
        elif word == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return Decimal(total + current)


def _chinese_figure(match: re.Match[str]) -> Decimal | None:
    numeral = match.group("number")
    if not (match.group("ordinal") or match.group("measure")) and not any(unit in numeral for unit in "万亿"):
        return None
    # Units without a digit are words, not figures: 上万 (tens of thousands), 数百, 成千上万, 万里.
    if not any(ch in _CHINESE_DIGITS for ch in numeral) and not numeral.startswith("十"):
        return None
    # Digit by digit (二〇二三) is how years are written; elsewhere such runs are words: 唯一一个.
    if all(ch in _CHINESE_DIGITS for ch in numeral) and len(numeral) > 1 and match.group("measure") != "年":
        return None
    value = chinese_numeral_value(numeral)
    if value is None or (value == 1 and len(numeral) == 1):
        return None
    return Decimal(value * 10 if match.group("measure") == "成" else value)


def _chinese_or_digits(number: str) -> Decimal | None:
    if number[0].isdigit():
        return Decimal(number)
    whole, _, fraction = number.partition("点")
    value = chinese_numeral_value(whole)
    if value is None:
        return None
    digits = "".join(str(_CHINESE_DIGITS[ch]) for ch in fraction if ch in _CHINESE_DIGITS)
    return Decimal(f"{value}.{digits}") if digits else Decimal(value)


def chinese_numeral_value(numeral: str) -> int | None:
    """二十四 → 24, 一百零五 → 105, 三千万 → 30000000, 二〇二三 → 2023 (read digit by digit)."""
    if not numeral or any(ch not in _CHINESE_NUMERAL for ch in numeral):
        return None
    if all(ch in _CHINESE_DIGITS for ch in numeral):
        return int("".join(str(_CHINESE_DIGITS[ch]) for ch in numeral))
    total, below_yi, section, digit = 0, 0, 0, 0
    for ch in numeral:
        if ch in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_UNITS:
            section += (digit or 1) * _CHINESE_UNITS[ch]
            digit = 0
        elif ch == "万":
            below_yi += (section + digit or 1) * 10**4
            section, digit = 0, 0
        else:  # 亿 scales everything since the previous 亿
            total += (below_yi + section + digit or 1) * 10**8
            below_yi, section, digit = 0, 0, 0
    return total + below_yi + section + digit
