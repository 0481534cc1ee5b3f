"""Numbers for the evaluation's bullet checks, read without the service's number reader.

The service ships a bullet only when its own verifier (service.pipeline.bullets, on service.text.numbers)
passes it, so re-running that verifier proves nothing: a figure it misreads is misread twice. This reader
is written separately and on purpose simpler. It is generous on the evidence side (every way a source
figure could be read counts) and strict on the claim side (every figure a bullet writes must be found):
a missed alarm is the price of reading evidence loosely, a false alarm on a good bullet is not paid.

Bullets are read for digits (decimals, percentages, thousands separators, a following scale word),
English number words one to twenty, tens and tens-units ('twenty-four'), and month names; sources add
simple Chinese numerals (二十四, 三千万, 二〇二三, 百分之二十四点五) and digits with 万/亿 (1.2万).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()
_UNIT_VALUES = {word: value for value, word in enumerate(_UNITS)}
_TENS = {
    word: 10 * n for n, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_EN_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_CN_SCALES = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 10**3}
_EN_SCALE = r"(?:\s+(?P<en_scale>hundred|thousand|million|billion|trillion)\b)"

_DIGITS = re.compile(
    r"(?<![\d.])(?P<number>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?P<fraction>\.\d+)?"
    rf"(?:{_EN_SCALE}|\s*(?P<cn_scale>万亿|亿|万|千))?(?:\s*(?:%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
# Longest words first, so that 'seventeen' is not read as 'seven'.
_UNIT_WORD = "|".join(sorted(_UNITS[1:10], key=len, reverse=True))
_WORDS = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[-\s](?P<unit>{_UNIT_WORD})\b)?"
    rf"|(?P<small>{'|'.join(sorted(_UNITS[1:], key=len, reverse=True))})){_EN_SCALE}?\b",
    re.IGNORECASE,
)
# Month names stand for their number ('September 29' against 9月29日). Capitalised only, and never
# 'May', which opens sentences as a verb far more often than it names a month in a bullet.
_MONTHS = {
    name: number
    for number, name in enumerate(
        "January February March April May June July August September October November December".split(), 1
    )
    if name != "May"
}
_MONTH = re.compile(rf"\b(?:{'|'.join(_MONTHS)})\b")
_CN_DIGITS = {**{c: n for n, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(
    r"(?P<whole>[零〇一二两三四五六七八九十百千万亿]+)(?:点(?P<fraction>[零〇一二三四五六七八九]+))?"
)


@dataclass(frozen=True)
class Figure:
    """A number as written and the values it may stand for (with and without a scale word)."""

    surface: str
    values: frozenset[Decimal]


def _scaled(value: Decimal, scale: int | None) -> frozenset[Decimal]:
    # Both readings: '1.2 million' may be supported by '1.2' in one source, '1,200,000' in another.
    return frozenset({value, value * scale} if scale else {value})


def _digit_figures(text: str) -> list[Figure]:
    figures = []
    for match in _DIGITS.finditer(text):
        value = Decimal(match.group("number").replace(",", "") + (match.group("fraction") or ""))
        scale = match.group("en_scale") or match.group("cn_scale")
        factor = _EN_SCALES.get((scale or "").lower()) or _CN_SCALES.get(scale or "")
        figures.append(Figure(match.group(0).strip(), _scaled(value, factor)))
    return figures


def _word_figures(text: str) -> list[Figure]:
    figures = []
    for match in _WORDS.finditer(text):
        if match.group("tens"):
            unit = _UNIT_VALUES.get((match.group("unit") or "").lower(), 0)
            value = _TENS[match.group("tens").lower()] + unit
        else:
            value = _UNIT_VALUES[match.group("small").lower()]
        factor = _EN_SCALES.get((match.group("en_scale") or "").lower())
        figures.append(Figure(match.group(0), _scaled(Decimal(value), factor)))
    return figures


def _month_figures(text: str) -> list[Figure]:
    return [Figure(m.group(0), frozenset({Decimal(_MONTHS[m.group(0)])})) for m in _MONTH.finditer(text)]


def chinese_value(numeral: str) -> int | None:
    """二十四 → 24, 一百零五 → 105, 三千万 → 30000000; None when it does not parse as one number."""
    total, section, digit = 0, 0, 0
    for character in numeral:
        if character in _CN_DIGITS:
            digit = _CN_DIGITS[character]
        elif character in _CN_UNITS:
            section += (digit or 1) * _CN_UNITS[character]
            digit = 0
        elif character == "万":
            total += (section + digit or 1) * 10**4
            section, digit = 0, 0
        elif character == "亿":
            total = (total + section + digit or 1) * 10**8
            section, digit = 0, 0
        else:
            return None
    return total + section + digit


def _chinese_values(text: str) -> set[Decimal]:
    values: set[Decimal] = set()
    for match in _CN_RUN.finditer(text):
        whole, fraction = match.group("whole"), match.group("fraction")
        if len(whole) > 1 and all(c in _CN_DIGITS for c in whole):  # 二〇二三: a year, digit by digit
            values.add(Decimal("".join(str(_CN_DIGITS[c]) for c in whole)))
            continue
        value = chinese_value(whole)
        if value is None:
            continue
        if fraction:
            values.add(Decimal(f"{value}.{''.join(str(_CN_DIGITS[c]) for c in fraction)}"))
        values.add(Decimal(value))
    return values


def claimed_figures(text: str) -> list[Figure]:
    """The figures an English text (a bullet) states: digits and number words."""
    text = unicodedata.normalize("NFKC", text)
    return _digit_figures(text) + _word_figures(text) + _month_figures(text)


def evidence_values(texts: Iterable[str]) -> set[Decimal]:
    """Every value the texts (cited sentences: English and source) may hold."""
    values: set[Decimal] = set()
    for text in texts:
        text = unicodedata.normalize("NFKC", text)
        values.update(value for figure in claimed_figures(text) for value in figure.values)
        values |= _chinese_values(text)
    return values


def unsupported(claim: str, evidence: Iterable[str]) -> list[str]:
    """The figures of `claim`, as written, none of whose values the evidence holds."""
    known = evidence_values(evidence)
    return [figure.surface for figure in claimed_figures(claim) if not figure.values & known]
