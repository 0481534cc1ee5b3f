"""People named without a title: evidence stronger than a following verb of speech.

- **Repeated**: a surname and a given name (three or four characters) that jieba finds and tags as a
  person (`nr`) itself, not from its dictionary, and that the document names twice or more: one tag may be
  a guess, the same guess of an unknown word twice is a name.
- **Enumerated**: names listed with 、 (张三、李四、王五) where the list is of people: one of them is a
  person found otherwise (after a title, as a byline, repeated), or the list ends in 等 ("and others") or a
  word that follows names (出席, 参加). Every item must then read as a name itself.

Officials of Taiwan, Hong Kong, Macao and Singapore write their names their own way (蔡英文 is Tsai
Ing-wen, 林郑月娥 Carrie Lam, 李显龙 Lee Hsien Loong), not in Hanyu Pinyin: `officials.tsv` holds those,
and they win over any pinyin found here (see `__init__.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise

from service.glossary.auto import (
    FOLLOWERS,
    TITLES,
    _person,
    dictionary_tag,
    looks_foreign,
)
from service.glossary.romanize import romanize_person, split_name

_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{3,4}")
_CLAUSE = re.compile(r"[^，。；：！？,.;:!?\n]+")
# What ends a list of people: "and others", a count of people (谭卫、何章鸿、赖斌三人), a word that follows names.
_LIST_END = ("等", "两人", "二人", "三人", "四人", "五人", "六人", "一行", *FOLLOWERS)


# The segmenter's dictionary tags some common words and places as people (卓越 "excellent": 592, 王府井,
# a street: 183), and holds obscure people too (陈晓红: 9, 赵建平: 2): a dictionary word counts as a
# name only when tagged as one and rarer than this.
RARE = 100


# Last characters of places and common words that the segmenter guesses are people (on WMT newstest2019
# and 2021: 阳澄湖 Yangcheng Lake, 海勃湾, 龙溪河, 万寿园, 普惠性 "inclusive"); a name after a title may
# still end so.
NOT_NAME_ENDINGS = frozenset("湖湾河江园寺桥路街港岛性")


def _a_name(name: str) -> str | None:
    """`name`'s romanisation when it reads as a Chinese person's name, not a foreign name nor a common
    word or place of the segmenter's dictionary."""
    if split_name(name) is None or looks_foreign(name[1:]) or name[-1] in NOT_NAME_ENDINGS:
        return None
    tag = dictionary_tag(name)
    if tag is not None and (not tag.startswith("nr") or _frequency(name) >= RARE):
        return None
    return romanize_person(name)


def _frequency(word: str) -> int:
    import jieba

    jieba.dt.check_initialized()
    return int(jieba.dt.FREQ.get(word) or 0)


def _tagged_names(words: list[tuple[str, str]]) -> list[str]:
    """Words tagged `nr` (not `nrt`, a transliteration), and a surname tagged so joined to the `nr`
    word after it: the segmenter cuts 李卫东 into 李 and 卫东."""
    names = [word for word, tag in words if tag == "nr"]
    for (word, tag), (after, after_tag) in pairwise(words):
        if tag == after_tag == "nr" and len(word) == 1:
            names.append(word + after)
    return names


def repeated_people(text: str, words: list[tuple[str, str]]) -> dict[str, str]:
    """People jieba finds itself, not from its dictionary, that the document names twice or more."""
    found: dict[str, str] = {}
    for word in _tagged_names(words):
        if word in found or not _HAN_NAME.fullmatch(word):
            continue
        rendering = _a_name(word) if text.count(word) >= 2 else None
        if rendering:
            found[word] = rendering
    return found


def _without_title(item: str) -> str:
    title = next((title for title in TITLES if item.startswith(title)), "")
    return item[len(title) :]


def _first_item(part: str) -> str | None:
    """The name ending the clause's first part (副区长许国华 → 许国华): the longest one that reads as a name."""
    for size in (4, 3, 2):
        if len(part) >= size and _a_name(part[-size:]):
            return part[-size:]
    return None


def _last_item(part: str) -> str | None:
    """The name opening the clause's last part: ending where a list of people ends (赖斌三人), or
    cleanly as after a title."""
    for size in (2, 3, 4):
        if part[size:].startswith(_LIST_END) and _a_name(part[:size]):
            return part[:size]
    return _person(part, 0)


def _listed(clause: str) -> tuple[list[str], bool] | None:
    """The names a clause lists with 、, and whether it ends like a list of people; None when an item
    is not a name (a list of things)."""
    parts = clause.split("、")
    if len(parts) < 2:
        return None
    first = _first_item(_without_title(parts[0]))
    middle = [_without_title(part) for part in parts[1:-1]]
    last_part = _without_title(parts[-1])
    last = _last_item(last_part)
    if first is None or last is None or not all(2 <= len(item) <= 4 and _a_name(item) for item in middle):
        return None
    ends_as_people = last_part[len(last) :].startswith(_LIST_END)
    return [first, *middle, last], ends_as_people


def enumerated_people(text: str, known: Mapping[str, str]) -> dict[str, str]:
    """People listed together where the list is of people: {name: rendering}."""
    found: dict[str, str] = {}
    for clause in _CLAUSE.findall(text):
        listed = _listed(clause)
        if listed is None:
            continue
        names, ends_as_people = listed
        if ends_as_people or any(name in known for name in names):
            for name in names:
                rendering = known.get(name) or _a_name(name)
                if rendering:
                    found.setdefault(name, rendering)
    return found


def more_people(text: str, words: list[tuple[str, str]], known: Mapping[str, str]) -> dict[str, str]:
    """The people found without a title, beside those `known` already: repeated, then enumerated."""
    repeated = {name: r for name, r in repeated_people(text, words).items() if name not in known}
    listed = enumerated_people(text, {**known, **repeated})
    return {**repeated, **{name: r for name, r in listed.items() if name not in known}}
