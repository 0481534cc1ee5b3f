"""What a summary should say, chosen without any extra model: salient sentences of the translation.

Each English segment is scored on three features: its centrality (a sentence that shares much with
the others states the document's main matter), its position (news leads with its news; each section
with its point), and its number density (the figures readers want). Documents are handled map-reduce
over their sections (cut at section heads, or every `SECTION_SEGMENTS` segments where there are none):
each section ranks its sentences on its own graph (TextRank over TF-IDF cosine similarity) and nominates
its best; the reduce step scores the nominees against the whole document (closeness to its centroid,
position in it) and picks with maximal marginal relevance, penalising a sentence for repeating one
already picked and for crowding a section that already has its bullets.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from service.pipeline.types import TranslatedDocument, TranslatedSegment
from service.text.numbers import numbers_in
from service.text.words import content_words, word_count

SECTION_SEGMENTS = 24  # a section of a document without heads: long enough for a graph, short to map
_HEADING_CHARS = 24  # a paragraph of one short sentence without closing punctuation is a section head
_CLOSERS = "。！？；….!?;”」』）)"
_WEIGHTS = {"centrality": 0.45, "position": 0.25, "numbers": 0.3}
_REDUNDANCY = 0.7  # how much similarity to an already chosen sentence costs
_CROWDING = 0.15  # how much each sentence already chosen from the same section costs: spread the bullets
_SHORT_ANCHOR = 12  # words: a shorter sentence takes the next one of its paragraph along as a source

Vector = dict[str, float]


def is_heading(segment: TranslatedSegment, alone_in_paragraph: bool) -> bool:
    text = segment.normalized.strip()  # cleaned: the scraped source's pinyin ruby would triple its length
    return alone_in_paragraph and len(text) <= _HEADING_CHARS and text[-1:] not in _CLOSERS


def sections(document: TranslatedDocument) -> list[list[int]]:
    """Indices of the body segments (heads left out), grouped into sections."""
    per_paragraph = Counter(segment.paragraph for segment in document.segments)
    groups: list[list[int]] = [[]]
    for index, segment in enumerate(document.segments):
        if is_heading(segment, per_paragraph[segment.paragraph] == 1):
            groups.append([])
            continue
        current = groups[-1]
        starts_paragraph = index == 0 or document.segments[index - 1].paragraph != segment.paragraph
        if len(current) >= SECTION_SEGMENTS and starts_paragraph:
            groups.append(current := [])
        current.append(index)
    found = [group for group in groups if group]
    # A document of nothing but short lines (a list of headlines, one line of text) is all body.
    return found or ([list(range(len(document.segments)))] if document.segments else [])


def tfidf(texts: Sequence[str]) -> list[Vector]:
    bags = [Counter(content_words(text)) for text in texts]
    frequency = Counter(word for bag in bags for word in bag)
    vectors = []
    for bag in bags:
        vector = {
            word: count * math.log((1 + len(bags)) / (1 + frequency[word])) + count
            for word, count in bag.items()
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({word: value / norm for word, value in vector.items()})
    return vectors


def cosine(first: Vector, second: Vector) -> float:
    if len(first) > len(second):
        first, second = second, first
    return sum(value * second.get(word, 0.0) for word, value in first.items())


def centrality(vectors: Sequence[Vector], damping: float = 0.85, iterations: int = 40) -> list[float]:
    """TextRank: PageRank over the sentence graph weighted by cosine similarity, scaled to max 1."""
    size = len(vectors)
    weights = [
        [cosine(a, b) if i != j else 0.0 for j, b in enumerate(vectors)] for i, a in enumerate(vectors)
    ]
    totals = [sum(row) or 1.0 for row in weights]
    rank = [1.0 / size] * size if size else []
    for _ in range(iterations):
        rank = [
            (1 - damping) / size + damping * sum(weights[j][i] / totals[j] * rank[j] for j in range(size))
            for i in range(size)
        ]
    top = max(rank, default=0.0) or 1.0
    return [value / top for value in rank]


def number_density(segment: TranslatedSegment) -> float:
    """Figures in the sentence, read from its source (which the translation may garble): a quantity
    (a percentage, a decimal, 100 or more) counts 1, a small count or a date's part 1/2; 2 or more = 1."""
    weight = 0.0
    for mention in numbers_in(segment.normalized):
        quantity = "%" in mention.surface or mention.value % 1 != 0 or mention.value >= 100
        weight += 1.0 if quantity else 0.5
    return min(1.0, weight / 2)


def _score(centrality: float, position: float, numbers: float) -> float:
    return (
        _WEIGHTS["centrality"] * centrality + _WEIGHTS["position"] * position + _WEIGHTS["numbers"] * numbers
    )


def _section_scores(
    document: TranslatedDocument, indices: list[int], vectors: list[Vector]
) -> dict[int, float]:
    """Map step: each sentence's score within its section, on the section's own graph."""
    ranks = centrality([vectors[index] for index in indices])
    total = len(document.segments)
    return {
        index: _score(
            rank,
            0.4 / (1 + order) + 0.6 * (1 - index / total),
            number_density(document.segments[index]),
        )
        for order, (index, rank) in enumerate(zip(indices, ranks, strict=True))
    }


def _lead_position(index: int, total: int) -> float:
    """News puts its news first: the lead sentence scores 1, the rest fall from 0.8 with their place."""
    return 1.0 if index == 0 else 0.8 * (1 - index / total)


def _document_scores(
    document: TranslatedDocument, nominees: Sequence[int], vectors: list[Vector]
) -> dict[int, float]:
    """Reduce step: the nominees scored against the whole document, so that sections compare fairly.

    Centrality here is closeness to the document's centroid (the sum of all its sentence vectors):
    linear in the document's length, where a graph over all sentences would be quadratic.
    """
    centroid: Vector = {}
    for vector in vectors:
        for word, value in vector.items():
            centroid[word] = centroid.get(word, 0.0) + value
    closeness = {index: cosine(vectors[index], centroid) for index in nominees}
    top = max(closeness.values(), default=0.0) or 1.0
    total = len(document.segments)
    return {
        index: _score(
            closeness[index] / top, _lead_position(index, total), number_density(document.segments[index])
        )
        for index in nominees
    }


def _sources(document: TranslatedDocument, anchor: int) -> tuple[int, ...]:
    """The anchor, with the next sentence of its paragraph when the anchor alone says little."""
    segments = document.segments
    following = anchor + 1
    if (
        word_count(segments[anchor].translation) < _SHORT_ANCHOR
        and following < len(segments)
        and segments[following].paragraph == segments[anchor].paragraph
    ):
        return (anchor, following)
    return (anchor,)


def _pick(
    scores: dict[int, float], vectors: Sequence[Vector], count: int, section_of: dict[int, int]
) -> dict[int, float]:
    """Maximal marginal relevance: best score first, each later pick penalised for what it repeats,
    and for crowding a section that already has its bullets."""
    left = dict(scores)
    picked: dict[int, float] = {}
    while left and len(picked) < count:

        def marginal(index: int) -> float:
            repeat = max((cosine(vectors[index], vectors[other]) for other in picked), default=0.0)
            crowd = sum(section_of[other] == section_of[index] for other in picked)
            return left[index] - _REDUNDANCY * repeat - _CROWDING * crowd

        best = max(left, key=marginal)
        picked[best] = left.pop(best)
    return picked


def choose(document: TranslatedDocument, bullets: int) -> list[tuple[int, ...]]:
    """Up to `bullets` groups of segment indices, one per bullet, in document order."""
    groups = sections(document)
    body = [index for group in groups for index in group]
    if not body or bullets < 1:
        return []
    by_index = dict(zip(body, tfidf([document.segments[i].translation for i in body]), strict=True))
    vectors = [by_index.get(index, {}) for index in range(len(document.segments))]
    section_of = {index: number for number, group in enumerate(groups) for index in group}
    nominees: dict[int, float] = {}
    for group in groups:  # map: each section nominates its best, on its own graph
        nominees.update(_pick(_section_scores(document, group, vectors), vectors, bullets, section_of))
    # reduce: the nominees scored on the whole document; the best, without repeats or crowding
    chosen = _pick(_document_scores(document, list(nominees), vectors), vectors, bullets, section_of)
    return [_sources(document, anchor) for anchor in sorted(chosen)]
