"""English for Chinese figures written with 万 and 亿 (and for days given without their month), told to the
model as renderings of terms.

Chinese counts large amounts in ten-thousands (万) and hundred-millions (亿); English in thousands,
millions and billions. The 1.5B instruction model converts them wrongly and confidently: on WMT19,
13亿美元 came out "$13 billion" ($1.3 billion), 5,000亿美元 "$5 trillion" ($500 billion) and 1,433亿日圆
"13.3 billion yen" (143.3 billion). The numbers check caught each of them, too late to do more than warn.
The conversion is arithmetic, so it is done here, and the model is told the English as it is told a
glossary term's ("13亿美元 = $1.3 billion"); the numbers check still reads what it wrote.
"""

from __future__ import annotations

import re
from decimal import Decimal

_SCALES = {"万亿": 10**12, "萬億": 10**12, "亿": 10**8, "億": 10**8, "万": 10**4, "萬": 10**4}
# How a currency is written after its amount, in the form English news uses: a prefix or a word after.
_CURRENCIES: dict[str, tuple[str, str]] = {
    "美元": ("$", ""),
    "元人民币": ("", " yuan"),
    "元人民幣": ("", " yuan"),
    "人民币": ("", " yuan"),
    "人民幣": ("", " yuan"),
    "元": ("", " yuan"),
    "日元": ("", " yen"),
    "日圆": ("", " yen"),
    "日圓": ("", " yen"),
    "欧元": ("", " euros"),
    "歐元": ("", " euros"),
    "英镑": ("£", ""),
    "英鎊": ("£", ""),
    "港元": ("HK$", ""),
    "港币": ("HK$", ""),
    "港幣": ("HK$", ""),
    "新台币": ("NT$", ""),
    "新台幣": ("NT$", ""),
    "韩元": ("", " won"),
    "韓元": ("", " won"),
    "卢布": ("", " rubles"),
    "盧布": ("", " rubles"),
}
_ENGLISH_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))
_FIGURE = re.compile(
    r"(?<![\d.,])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<more>多|余|餘)?"
    r"(?P<scale>" + "|".join(sorted(_SCALES, key=len, reverse=True)) + ")"
    r"(?P<currency>" + "|".join(sorted(_CURRENCIES, key=len, reverse=True)) + ")?"
)


# "Several thousand hundred-millions": an amount known only by its order, which the model turned into a
# figure (数千亿美元, "hundreds of billions of dollars", became "$500 billion" on WMT19).
_VAGUE = {
    "数十万": "hundreds of thousands",
    "数百万": "millions",
    "数千万": "tens of millions",
    "数万": "tens of thousands",
    "数亿": "hundreds of millions",
    "数十亿": "billions",
    "数百亿": "tens of billions",
    "数千亿": "hundreds of billions",
    "数万亿": "trillions",
}
_TO_SIMPLIFIED, _TO_TRADITIONAL = str.maketrans("數萬億", "数万亿"), str.maketrans("数万亿", "數萬億")
_VAGUE_FORMS = [*_VAGUE, *(order.translate(_TO_TRADITIONAL) for order in _VAGUE)]
_VAGUE_FIGURE = re.compile(
    "(?P<order>" + "|".join(sorted(_VAGUE_FORMS, key=len, reverse=True)) + ")"
    "(?P<currency>" + "|".join(sorted(_CURRENCIES, key=len, reverse=True)) + ")?"
)
_CURRENCY_WORDS = {"$": "US dollars", "£": "pounds", "HK$": "Hong Kong dollars", "NT$": "New Taiwan dollars"}
# A day of the month with no month before it (30日 in 人大常委会30日在广州举行): qwen-pypi gave it a month
# of its own choosing ("on November 1", "on March 30"). Not 日元 (the yen), nor a count of days: 5日内
# (within five days), 3日后, 连续3日, 近7日, 每1日.
_DAY = re.compile(
    r"(?<![\d月.\-―—–/续續近每数數第])(?P<day>[1-9]|[12]\d|3[01])日(?![元本圆圓语語内內后後以前之间間])"
)


def scaled_figures(text: str) -> list[tuple[str, str]]:
    """Each figure of `text` written with 万 or 亿 (and its currency, when one follows), each amount known
    only by its order (数千亿) and each day of the month given without its month, with its English, in
    order, each once: ('13亿美元', '$1.3 billion'), ('3.5万', '35,000'), ('30日', 'the 30th')."""
    found: list[tuple[int, str, str]] = []
    for match in _FIGURE.finditer(text):
        found.append((match.start(), match.group(0), _english(match)))
    for match in _VAGUE_FIGURE.finditer(text):
        found.append((match.start(), match.group(0), _vague(match)))
    for match in _DAY.finditer(text):
        found.append((match.start(), match.group(0), "the " + _ordinal(int(match.group("day")))))
    unique: dict[str, str] = {}
    for _, figure, english in sorted(found):
        unique.setdefault(figure, english)
    return list(unique.items())


def _vague(match: re.Match[str]) -> str:
    order = _VAGUE[match.group("order").translate(_TO_SIMPLIFIED)]
    prefix, suffix = _CURRENCIES.get(match.group("currency") or "", ("", ""))
    unit = _CURRENCY_WORDS.get(prefix, suffix.strip())
    return f"{order} of {unit}" if unit else order


def _ordinal(day: int) -> str:
    ending = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{ending}"


def _english(match: re.Match[str]) -> str:
    # The pattern admits only digits, commas and one decimal point: always a valid Decimal.
    value = Decimal(match.group("number").replace(",", "")) * _SCALES[match.group("scale")]
    amount = _amount(value)
    prefix, suffix = _CURRENCIES.get(match.group("currency") or "", ("", ""))
    more = "more than " if match.group("more") else ""
    return f"{more}{prefix}{amount}{suffix}"


def _amount(value: Decimal) -> str:
    """1.3 billion, 500 million, 35,000: the largest English scale the value reaches, else digits."""
    for size, name in _ENGLISH_SCALES:
        if value >= size:
            return f"{_plain(value / size)} {name}"
    return f"{int(value):,}" if value == value.to_integral_value() else _plain(value)


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: 1.3, 500, 143.3."""
    return format(value.normalize(), "f")
