"""Sentence splitting for CJK and Latin scripts, as pure functions over cleaned text.

A sentence ends at 。！？；… (or their half-width forms) outside quotes and brackets. Closing quotes
and brackets right after the mark stay with the sentence. Half-width `.` ends a sentence only when
whitespace or the end follows, so `24.5%`, `4+4+1` and `U.S.` stay whole; an abbreviation before the
dot (`Mr.`, `No.`) or a single capital (`J. Smith`) does not end one either.
"""

from __future__ import annotations

import re

_CJK_TERMINATORS = frozenset("。！？；…")
_HALF_TERMINATORS = frozenset("!?;")
_OPENERS = {
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "《": "》",
    "【": "】",
    "[": "]",
    "〈": "〉",
}
_CLOSERS = frozenset(_OPENERS.values())
_TRAILERS = _CLOSERS | frozenset("\"'")
_QUOTE_CLOSERS = frozenset("”’」』")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no nos vs etc e.g i.e jan feb mar apr jun jul aug sep sept oct nov dec "
    "inc ltd co corp gov gen col lt sgt rep sen art fig p pp vol".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _ends_latin_sentence(text: str, dot: int) -> bool:
    """A `.` ends a sentence when whitespace or the end follows and no abbreviation precedes it."""
    after = dot + 1
    while after < len(text) and text[after] in _TRAILERS:
        after += 1
    if after < len(text) and not text[after].isspace():
        return False
    match = _WORD_BEFORE.search(text[:dot])
    if match is None:
        return True
    word = match.group(1)
    if word.lower().rstrip(".") in _ABBREVIATIONS:
        return False
    # Initials such as "J." or "U.S." are not sentence ends.
    return not (len(word) == 1 and word.isupper()) and "." not in word


def _is_terminator(text: str, index: int) -> bool:
    ch = text[index]
    if ch in _CJK_TERMINATORS:
        return True
    if ch in _HALF_TERMINATORS:
        return index + 1 == len(text) or text[index + 1].isspace() or text[index + 1] in _TRAILERS
    if ch == ".":
        return _ends_latin_sentence(text, index)
    return False


def _update_depth(stack: list[str], ch: str) -> None:
    if stack and ch == stack[-1]:
        stack.pop()
    elif ch == '"':  # a straight quote opens unless it closes the innermost one
        stack.append('"')
    elif ch in _OPENERS:
        stack.append(_OPENERS[ch])
    elif ch in _CLOSERS and ch in stack:
        # A stray closer (scraped text is messy) closes up to its opener rather than being ignored.
        while stack and stack.pop() != ch:
            pass


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of one paragraph; together they cover every non-space char."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    index = 0
    while index < len(text):
        ch = text[index]
        _update_depth(stack, ch)
        closes_quoted_sentence = (
            not stack and ch in _QUOTE_CLOSERS and index > 0 and text[index - 1] in _CJK_TERMINATORS
        )
        if closes_quoted_sentence or (not stack and _is_terminator(text, index)):
            end = index + 1
            while end < len(text) and (text[end] in _CJK_TERMINATORS or text[end] in _HALF_TERMINATORS):
                end += 1
            while end < len(text) and text[end] in _CLOSERS and not stack:
                end += 1
            spans.append((start, end))
            start = end
            index = end
            continue
        index += 1
    if start < len(text):
        spans.append((start, len(text)))
    return _strip_spans(text, spans)


def _strip_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    stripped = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            stripped.append((start, end))
    return stripped


def split_sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]
