"""Places named bare, without their unit (宝鸡, 固原, 西宁, 广东), from a maintained list of China's
administrative divisions.

Without a unit (宝鸡 rather than 宝鸡市) nothing marked these as places, and the model guessed: on the
`names` suite it wrote 宝鸡 as "Baoding" (another city), 固原 as "Gansu" and 西宁 as "Xinjiang". The list
is cpca's (`adcodes.csv`, MIT: 3,511 divisions, 2020), read as data; its matcher is not used. A bare name
counts when the segmenter reads it as a place in its sentence, when it stands in a list (、) beside a place,
or when it is a prefecture-level city's and the segmenter's dictionary does not know it as a common word.
A one-character name with 镇 (乌镇) is a town whose English is one word: Wuzhen.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Mapping
from functools import lru_cache
from importlib import metadata

from service.glossary.romanize import romanize_place

# The segmenter's tags for a common word: a division named so (平凉 'a', 保定 'v', 大同 'd') is only
# taken where the sentence shows it is a place.
_NAMELIKE_TAGS = frozenset({"ns", "n", "nr", "nz", "nrt", "nrfg"})
# A prefecture-level city's name that the dictionary uses more often than this is a word first
# (日照 "sunshine": 621; 宝鸡: 188, 银川: 290).
_RARE = 500
_LIST_MARK = "、"


@lru_cache(maxsize=1)
def divisions() -> dict[str, bool]:
    """Bare names of cities and counties → whether the name is a prefecture-level city's. Names of
    autonomous areas are left out: their English is not their pinyin (Xinjiang Uygur)."""
    path = metadata.distribution("cpca").locate_file("cpca/resources/adcodes.csv")
    found: dict[str, bool] = {}
    with open(str(path), encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            name, code = row["name"], row["adcode"]
            if "自治" in name or len(name) < 3 or name[-1] not in "市县":
                continue
            prefecture = code[4:6] == "00" and code[2:4] != "00"
            found[name[:-1]] = found.get(name[:-1], False) or prefecture
    return found


def _frequency(word: str) -> int:
    import jieba

    jieba.dt.check_initialized()
    return int(jieba.dt.FREQ.get(word, 0) or 0)


def bare_places(
    words: list[tuple[str, str]],
    provinces: Mapping[str, str],
    cities: Mapping[str, str],
    units: Collection[str] = (),
) -> dict[str, str]:
    """{bare name: English} for the divisions, provinces (`provinces`: bare name → English) and towns
    the tagged `words` name without a unit (`units`: the words that are one). `cities`: standard
    spellings (Xi'an, Harbin)."""
    known = divisions()
    places = {word for word, tag in words if tag == "ns"}
    found: dict[str, str] = {}
    for index, (word, tag) in enumerate(words):
        following = words[index + 1][0] if index + 1 < len(words) else ""
        if following in units:
            continue  # a place with its unit (东海街道): `find_places` renders it whole
        english: str | None = None
        if word in provinces and tag == "ns":
            english = provinces[word]
        elif word in cities:
            english = cities[word]
        elif _is_division(words, index, places, known) or _is_town(word, tag):
            english = romanize_place(word)
        if english:
            found.setdefault(word, english)
    return found


# The first characters of words for a kind of town, which the segmenter also tags as places: 城镇 (towns),
# 古镇 (an ancient town), 重镇 (a key town), 新镇, 小镇, 乡镇, 全镇.
_GENERIC_TOWNS = frozenset("城古重新名强大边小集市村乡全本各该此每老县区特历一两三四五六七八九十百千万")


def _is_town(word: str, tag: str) -> bool:
    return len(word) == 2 and word.endswith("镇") and tag == "ns" and word[0] not in _GENERIC_TOWNS


def _is_division(words: list[tuple[str, str]], index: int, places: set[str], known: dict[str, bool]) -> bool:
    word, tag = words[index]
    if word not in known:
        return False
    prefecture = known[word]
    if tag == "ns" or _in_list_of_places(words, index, places):
        return True
    return prefecture and tag in _NAMELIKE_TAGS and _frequency(word) <= _RARE


def _in_list_of_places(words: list[tuple[str, str]], index: int, places: set[str]) -> bool:
    """Whether the word stands in a 、 list with another word the segmenter reads as a place."""
    start = index
    while start >= 2 and words[start - 1][0] == _LIST_MARK:
        start -= 2
    end = index
    while end + 2 < len(words) and words[end + 1][0] == _LIST_MARK:
        end += 2
    members = [words[at][0] for at in range(start, end + 1, 2)]
    return len(members) > 1 and any(member in places for member in members if member != words[index][0])
