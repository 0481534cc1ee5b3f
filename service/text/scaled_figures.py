"""English for Chinese figures written with 万 and 亿, told to the model as renderings of terms.

Chinese counts large amounts in ten-thousands (万) and hundred-millions (亿); English in thousands,
millions and billions. The 1.5B instruction model converts them wrongly and confidently: on WMT19,
13亿美元 came out "$13 billion" ($1.3 billion), 5,000亿美元 "$5 trillion" ($500 billion) and 1,433亿日圆
"13.3 billion yen" (143.3 billion). The numbers check caught each of them, too late to do more than warn.
The conversion is arithmetic, so it is done here, and the model is told the English as it is told a
glossary term's ("13亿美元 = $1.3 billion"); the numbers check still reads what it wrote.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

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


def scaled_figures(text: str) -> list[tuple[str, str]]:
    """Each figure of `text` written with 万 or 亿 (and its currency, when one follows), with its
    English, in order, each once: ('13亿美元', '$1.3 billion'), ('3.5万', '35,000')."""
    found: dict[str, str] = {}
    for match in _FIGURE.finditer(text):
        english = _english(match)
        if english is not None:
            found.setdefault(match.group(0), english)
    return list(found.items())


def _english(match: re.Match[str]) -> str | None:
    try:
        value = Decimal(match.group("number").replace(",", "")) * _SCALES[match.group("scale")]
    except InvalidOperation:
        return None
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
    text = format(value.normalize(), "f")
    return str(int(Decimal(text))) if Decimal(text) == Decimal(text).to_integral_value() else text
