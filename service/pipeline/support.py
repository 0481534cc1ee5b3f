"""What a bullet may say, judged from its cited sentences' source and not only from their English.

A bullet that repeats its sentence's mistranslation passes every check against that English: on the seed,
"Hithium Energy Storage partners with blockchain enterprises" (链上企业, enterprises on the chain) did.
So each content word of a bullet must be accounted for by the cited sentences' Chinese: the approved
renderings of the glossary terms found in them (request, built-in and automatic), CC-CEDICT's English for
their words, the pinyin of their characters (a name the model romanised itself) or their Latin text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pypinyin import Style, lazy_pinyin

from service.pipeline.types import TranslatedDocument, TranslatedSegment
from service.text.cedict import english_for, headwords_for, key, keys
from service.text.normalize import CJK_CHAR, reads_as_pinyin, to_simplified
from service.text.words import words

Terms = Sequence[tuple[str, str]]  # (term, approved rendering) pairs
_RUN = re.compile(f"{CJK_CHAR}+")
_NAME_SYLLABLES = 3  # a romanised name: up to three characters written as one word (Guiliang, Ouyang)
# A word that CC-CEDICT gives as the English of at most this many headwords is specific: a fact the
# sources must hold ("blockchain": 1, "plumbing": 6). Commoner words ("hold": 330, "released": 49) are
# how a summary paraphrases, and the share of a bullet's words found in its sources' English covers them.
SPECIFIC = 12
_MONTHS = "january february march april may june july august september october november december".split()


def cited_terms(document: TranslatedDocument, ids: Iterable[str]) -> list[tuple[str, str]]:
    """The glossary terms (with their renderings) the document found in the segments `ids`."""
    wanted = set(ids)
    return [(term.term, term.rendering) for term in document.glossary if wanted & set(term.segments)]


def _romanised(text: str) -> set[str]:
    """The pinyin of every run of one to three characters of `text`, as one lowercase word."""
    found: set[str] = set()
    for run in _RUN.findall(text):
        read = lazy_pinyin(run, style=Style.NORMAL, v_to_u=False)
        for start in range(len(read)):
            for size in range(1, _NAME_SYLLABLES + 1):
                if start + size <= len(read):
                    found.add("".join(read[start : start + size]))
    return found


def _supported(sources: Sequence[str], terms: Terms) -> set[str]:
    """The keys of every English word the sources account for: their terms' approved renderings,
    CC-CEDICT's English for their words, their Latin text, the months their dates name."""
    found = {k for term, english in terms if any(term in source for source in sources) for k in keys(english)}
    for source in sources:
        found |= english_for(source) | set(keys(source))
        found |= {key(_MONTHS[int(month) - 1]) for month in re.findall(r"(?<!\d)(1[0-2]|0?[1-9])月", source)}
    return found


def _checked(word: str, first: bool) -> bool:
    """Whether a word must be accounted for: a month, a name (capitalised, and unknown to the
    dictionary or, past the bullet's first word, read as pinyin) or a specific word."""
    if not word[0].isalpha() or len(word) < 2:
        return False
    if word[0].isupper() and word.lower() in _MONTHS:
        return True  # capitalised: "may" is a verb
    known = headwords_for(key(word))
    if word[0].isupper() and (known == 0 or (not first and reads_as_pinyin(word))):
        return True
    return 0 < known <= SPECIFIC


def unsupported_terms(text: str, cited: Sequence[TranslatedSegment], terms: Terms) -> list[str]:
    """The names and specific words of `text` (as written, in order, once each) that the sources of
    `cited` do not account for; `terms`: the glossary entries found in those sources."""
    sources = [to_simplified(segment.normalized) for segment in cited]
    supported = _supported(sources, terms)
    romanised = {syllables for source in sources for syllables in _romanised(source)}
    missing: list[str] = []
    for position, word in enumerate(words(text)):
        word = re.sub(r"['’]s$", "", word)
        if not _checked(word, position == 0) or word in missing:
            continue
        parts = [part for part in re.split(r"['’-]", word) if len(part) > 1]
        if all(_near(key(part), supported) for part in parts):
            continue  # "high-tech", "Tong'an": each part accounted for
        if re.sub(r"['’-]", "", word.lower()) in romanised or word.lower() in supported:
            continue  # "Guiliang": the pinyin of its characters; "SME": initials of a gloss
        missing.append(word)
    return missing


_NEAR = 4  # letters a word may add to a stem it is accounted for by: "partnership" by "partner"


def _near(word_key: str, supported: set[str]) -> bool:
    """`word_key` is supported, or is a supported key with at most four letters more or fewer
    ("nearli" and "near"), but no further ("blockchain" is not "block")."""
    if word_key in supported:
        return True
    return any(
        abs(len(other) - len(word_key)) <= _NEAR
        and min(len(other), len(word_key)) >= 4
        and (other.startswith(word_key) or word_key.startswith(other))
        for other in supported
    )
