"""Latin text inside Chinese: web addresses, e-mail addresses, codes and glosses that are not to be
translated (`GB 18030`, `ISO/IEC 10646`, `3.1 字符 character`, `https://www.gov.cn/…`).

Government documents are full of them: standard numbers, clause headings with a term's English gloss,
addresses. A model that sees them may drop or "translate" them; they must come out as they went in.
"""

from __future__ import annotations

import re

from service.markup.placeholders import MARKER

_RUN = re.compile(
    r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+"  # an address, to the first CJK mark
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # an e-mail address
    r"|[A-Za-z][A-Za-z0-9]*(?:[ ./:_&'-]+[A-Za-z0-9]+)*"  # words, codes and their numbers: GB 18030
)


# A code's or a year's digits (`18030`, `2022`): four or more, whole, not an amount (`3000万`, `1,234.5`, `12%`).
_FIGURE = re.compile(r"(?<![\d.,])\d{4,}(?![\d.,%万亿千百])")


def latin_runs(text: str) -> list[str]:
    """The Latin runs of `text` to be kept as they are, in order (a URL's closing full stop left out),
    and the long figures of codes and years."""
    text = MARKER.sub(" ", text)  # inline markup's markers (`<g1>`, `<x2/>`) are not the sentence's text
    runs = [match.group(0).rstrip(".,;:") for match in _RUN.finditer(text)]
    return runs + [
        match.group(0) for match in _FIGURE.finditer(text) if not any(match.group(0) in r for r in runs)
    ]


def keep_latin(source: str, translation: str) -> tuple[str, list[str]]:
    """`translation` with every Latin run of `source` it lost put back at its end (nothing dropped), and
    the runs put back. Case and spacing must match exactly: a code is not a word to be re-cased."""
    digits = translation.replace(",", "")  # 12000 may come back as 12,000
    missing = [
        run
        for run in dict.fromkeys(latin_runs(source))
        if run and run not in translation and run not in digits
    ]
    if not missing:
        return translation, []
    return " ".join([translation.rstrip(), *missing]).strip(), missing
