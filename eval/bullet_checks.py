"""The evaluation's own checks of summary bullets, independent of the service's verifier.

The summariser ships only bullets its verifier (service.pipeline.bullets) passed, so re-running that
verifier on them cannot fail. These checks say the same things in other code — their own number reader
(eval/figures.py), tokenisation, stopwords and similarity — so that a mistake in the verifier shows here
as a problem instead of being confirmed. Only the word limit is shared: it is the contract, not a reading.

Problem codes, per bullet: empty, no_sources, unknown_source, unsupported_number, cjk_left, too_long,
unrelated, near_duplicate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.figures import unsupported
from service.pipeline.bullets import MAX_WORDS
from service.pipeline.types import TranslatedDocument, TranslatedSegment

# Share of a bullet's content words that must occur in its cited sentences. Lower than the service's
# bar on purpose: this is a sanity check for a bullet about something else, not a paraphrase judge.
MIN_OVERLAP = 0.25
NEAR_DUPLICATE = 0.8  # Jaccard similarity of two bullets' content words
STEM_LENGTH = 6  # words compared by their first letters: 'industry' and 'industries' meet

# Han (with extensions and compatibility forms), kana, Hangul, CJK punctuation and full-width forms:
# none belongs in an English bullet, though only Han is what the service itself looks for.
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)
_TOKEN = re.compile(r"[a-z]+")
_STOPWORDS = frozenset(
    """a an the and or but nor so yet of in on at to for from by with without into onto over under about
    above below after before during since until through between among against per via as than then
    is are was were be been being am has have had having do does did doing will would shall should can
    could may might must this that these those it its they them their there here he she his her we our
    you your who whom whose which what when where why how all any both each every some such no not only
    also very more most other same own just too while whether if because though although up out off
    said says say including include includes new""".split()
)


@dataclass(frozen=True)
class BulletCheck:
    """What the checks found wrong with one bullet: codes for counting, notes for people."""

    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def content_tokens(text: str) -> set[str]:
    """Lower-cased letter runs of three or more, not stopwords, cut to their first STEM_LENGTH letters."""
    tokens = _TOKEN.findall(text.lower().replace("'s", ""))
    return {token[:STEM_LENGTH] for token in tokens if len(token) > 2 and token not in _STOPWORDS}


def jaccard(first: set[str], second: set[str]) -> float:
    return len(first & second) / len(first | second) if first | second else 0.0


def word_total(text: str) -> int:
    """Words as a reader counts them: whitespace-separated pieces holding a letter or a digit."""
    return sum(any(c.isalnum() for c in piece) for piece in text.split())


def _cited(document: TranslatedDocument, ids: Sequence[str]) -> tuple[list[TranslatedSegment], list[str]]:
    by_id = {segment.id: segment for segment in document.segments}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id], [i for i in ids if i not in by_id]


def _grounding(text: str, document: TranslatedDocument, ids: Sequence[str]) -> list[tuple[str, str]]:
    """Problems of what the bullet says against what it cites: (code, note) pairs."""
    found: list[tuple[str, str]] = []
    cited, unknown = _cited(document, ids)
    if not ids:
        found.append(("no_sources", "cites no segment"))
    if unknown:
        found.append(("unknown_source", f"cites {', '.join(unknown)}, not in the document"))
    evidence = [piece for s in cited for piece in (s.translation, s.source, s.normalized)]
    missing = unsupported(text, evidence)
    if missing:
        found.append(("unsupported_number", f"{', '.join(missing)} not in its cited sentences"))
    claimed = content_tokens(text)
    supporting = set[str]().union(*(content_tokens(segment.translation) for segment in cited))
    share = len(claimed & supporting) / len(claimed) if claimed else 0.0
    if cited and (not claimed & supporting or share < MIN_OVERLAP):
        found.append(("unrelated", f"{share:.0%} of its content words in its cited sentences"))
    return found


def check_bullets(
    texts: Sequence[str], sources: Sequence[Sequence[str]], document: TranslatedDocument
) -> list[BulletCheck]:
    """Each bullet (text, cited segment ids) checked against `document` and the bullets before it."""
    checks: list[BulletCheck] = []
    for index, (text, ids) in enumerate(zip(texts, sources, strict=True)):
        if not any(character.isalnum() for character in text):
            checks.append(BulletCheck(("empty",), ("no letters or digits",)))
            continue
        found = _grounding(text, document, ids)
        leftover = "".join(dict.fromkeys(_CJK.findall(text)))
        if leftover:
            found.append(("cjk_left", f"CJK characters left: {leftover}"))
        if (words := word_total(text)) > MAX_WORDS:
            found.append(("too_long", f"{words} words, at most {MAX_WORDS}"))
        tokens = content_tokens(text)
        earlier = [n for n in range(index) if jaccard(tokens, content_tokens(texts[n])) >= NEAR_DUPLICATE]
        if earlier:
            found.append(("near_duplicate", f"repeats bullet {earlier[0] + 1}"))
        checks.append(BulletCheck(tuple(code for code, _ in found), tuple(note for _, note in found)))
    return checks
