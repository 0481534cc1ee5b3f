"""Bullets and their verifier: pure functions the summariser and the evaluation harness both use.

A bullet is shipped only when `bullet_problems` finds nothing wrong with it: it cites segments of its
document, every number in it stands in those segments (in their English or in their source, after
normalising numerals) and no more often than one of them states it, it has no Chinese left, at most 35
words, its words come from its sources, its names and specific words from its sources' Chinese
(`support.py`: a mistranslation in their English is no support), and it does not repeat another bullet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.pipeline.support import Terms, cited_terms, unsupported_terms
from service.pipeline.types import TranslatedDocument, TranslatedSegment
from service.text.normalize import CJK_CHAR, han_characters
from service.text.numbers import overused_numbers, unsupported_numbers
from service.text.words import content_words, overlap, word_count

MAX_WORDS = 35
# Share of a bullet's content words that must occur in its sources. Paraphrase is allowed ("account
# for" vs "make up"); a bullet that is mostly words its sources lack is not a summary of them.
MIN_GROUNDED = 0.5
NEAR_DUPLICATE = 0.8  # share of the shorter bullet's content words found in the other


@dataclass(frozen=True)
class Bullet:
    text: str
    sources: tuple[str, ...]  # segment ids, e.g. ("p2.s4",)
    origin: str = "model"  # "model", "model_retry" (regenerated once) or "extract" (the fallback)


def cited_segments(
    document: TranslatedDocument, ids: Sequence[str]
) -> tuple[list[TranslatedSegment], list[str]]:
    """The segments `ids` name, in document order, and the ids the document does not have."""
    by_id = {segment.id: segment for segment in document.segments}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id], [i for i in ids if i not in by_id]


def near_duplicate(first: str, second: str) -> bool:
    return overlap(content_words(first), content_words(second)) >= NEAR_DUPLICATE


def grounded_share(text: str, cited: Sequence[TranslatedSegment]) -> float:
    claimed = content_words(text)
    if not claimed:
        return 0.0
    supporting = {word for segment in cited for word in content_words(segment.translation)}
    return sum(word in supporting for word in claimed) / len(claimed)


def bullet_problems(
    text: str,
    cited: Sequence[TranslatedSegment],
    others: Sequence[str] = (),
    unknown_ids: Sequence[str] = (),
    terms: Terms | None = None,
) -> list[str]:
    """Problem codes for a bullet citing `cited` (and `unknown_ids`, which its document lacks).

    `others` are the document's other bullets; `terms`, for a Chinese document, the glossary entries
    found in the cited sentences (None: their source is not read). Codes: empty, no_sources,
    unknown_source, unsupported_number, unsupported_term, chinese_left, too_long, not_grounded,
    near_duplicate. An empty list: ship it.
    """
    if not any(character.isalnum() for character in text):
        return ["empty"]
    problems = []
    if not cited and not unknown_ids:
        problems.append("no_sources")
    if unknown_ids:
        problems.append("unknown_source")
    evidence = [segment.translation for segment in cited] + [segment.normalized for segment in cited]
    if unsupported_numbers(text, evidence) or overused_numbers(text, evidence):
        problems.append("unsupported_number")
    if terms is not None and cited and unsupported_terms(text, cited, terms):
        problems.append("unsupported_term")
    if han_characters(text):
        problems.append("chinese_left")
    if word_count(text) > MAX_WORDS:
        problems.append("too_long")
    if cited and grounded_share(text, cited) < MIN_GROUNDED:
        problems.append("not_grounded")
    if any(near_duplicate(text, other) for other in others):
        problems.append("near_duplicate")
    return problems


def check_bullet(bullet: Bullet, document: TranslatedDocument, others: Sequence[str] = ()) -> list[str]:
    """`bullet_problems` for a bullet whose sources are ids of `document`'s segments."""
    cited, unknown = cited_segments(document, bullet.sources)
    return bullet_problems(bullet.text, cited, others, unknown, source_terms(document, bullet.sources))


def source_terms(document: TranslatedDocument, ids: Sequence[str]) -> Terms | None:
    """The glossary entries of the segments `ids`, where their source is read: a Chinese document, not
    translated by a model with random weights (the tiny profile's, whose English is noise that no source
    supports, as every one of its responses says: checking it against its source would test nothing)."""
    random = document.model is not None and document.model.random_weights
    return cited_terms(document, ids) if document.source_lang == "zh" and not random else None


def without_clauses_holding(sentence: str, unwanted: Sequence[str]) -> str:
    """`sentence` less each clause that holds one of the `unwanted` words: an extract must not repeat a
    word its sentence's own translation got wrong."""
    if not unwanted:
        return sentence
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, unwanted)) + r")\b")
    return " ".join(clause for clause in _CLAUSE.split(sentence) if not pattern.search(clause))


_MARKER = re.compile(r"^\s*(?:[-*•·‣●▪]|\d+[.)])\s*")
_FILLER = re.compile(
    r"^(?:in addition|meanwhile|moreover|furthermore|finally|at the same time|at the meeting|"
    r"on the occasion|during the event|at the event)\s*,?\s*",
    re.IGNORECASE,
)
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")
_CLAUSE = re.compile(r"(?<=[,;:.!?])\s+")  # after a clause or a sentence; "24.5" has no space
_CJK_RUN = re.compile(f"{CJK_CHAR}+")


def clean_bullet(text: str) -> str:
    """One line, without a list marker or wrapping quotes, ending with a full stop."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    line = _MARKER.sub("", line).strip().strip('"“”').strip()
    if not any(character.isalnum() for character in line):
        return ""
    if line[-1] not in ".!?":
        line += "."
    return line


def compress_extract(sentence: str, max_words: int = MAX_WORDS) -> str:
    """A shorter form of `sentence` made only of its own words: the fallback when a model's bullet fails.

    Drops connective openers, parentheticals and any Chinese the translation left (a bullet is English);
    if still too long, keeps the first clause and then the clauses that carry numbers; as a last resort
    cuts at a word boundary. Nothing is added, so every number kept is one the sentence has.
    """
    text = " ".join(_CJK_RUN.sub(" ", _PARENTHETICAL.sub("", sentence)).split())
    text = _FILLER.sub("", text)
    text = (text[:1].upper() + text[1:]).rstrip(" ,;:")
    if word_count(text) > max_words:
        clauses = _CLAUSE.split(text)
        kept = [clauses[0]]
        for clause in clauses[1:]:
            if re.search(r"\d", clause) and word_count(" ".join([*kept, clause])) <= max_words:
                kept.append(clause)
        text = " ".join(kept).rstrip(" ,;:")
    if word_count(text) > max_words:
        text = " ".join(text.split()[: max_words - 1]).rstrip(" ,;:") + " …"
    return clean_bullet(text) if not text.endswith("…") else text
