"""Text → segments: normalise, split paragraphs and sentences, cut to the model's token budget."""

from __future__ import annotations

from collections.abc import Callable

from service.pipeline.types import EmptyDocument, PreparedDocument, Segment, segment_id
from service.text.budget import split_to_budget
from service.text.normalize import as_received, clean, split_paragraphs, to_simplified, unicode_normalize
from service.text.segment import sentence_spans


def cleaned_text(text: str) -> str:
    """The whole document cleaned of annotations, for language detection."""
    return "\n".join(clean(paragraph).text for paragraph in split_paragraphs(unicode_normalize(text)))


def prepare_document(
    text: str,
    *,
    simplify: bool,
    count_tokens: Callable[[str], int],
    token_budget: int,
    clean_input: bool = True,
    split_sentences: bool = True,
) -> PreparedDocument:
    """Segments of one document, ids `p{paragraph}.s{sentence}` numbered from 1.

    `clean_input=False` skips ruby removal and punctuation repair (not script conversion), to measure
    what they are worth. `split_sentences=False` makes each paragraph one segment (DeepL's
    `split_sentences=0`); a paragraph over the model's budget is still cut into pieces.
    """
    segments: list[Segment] = []
    annotations = 0
    paragraphs = split_paragraphs(unicode_normalize(text))
    for paragraph_number, paragraph in enumerate(paragraphs, start=1):
        cleaned = clean(paragraph) if clean_input else as_received(paragraph)
        annotations += cleaned.removed_annotations
        spans = sentence_spans(cleaned.text) if split_sentences else [_whole(cleaned.text)]
        for sentence_number, ((start, end), source) in enumerate(
            zip(spans, cleaned.source_slices(spans), strict=True), start=1
        ):
            sentence = cleaned.text[start:end]
            normalized = to_simplified(sentence) if simplify else sentence
            segments.append(
                Segment(
                    id=segment_id(paragraph_number, sentence_number),
                    paragraph=paragraph_number,
                    source=source,
                    normalized=normalized,
                    pieces=tuple(split_to_budget(normalized, count_tokens, token_budget)),
                )
            )
    if not segments:
        raise EmptyDocument("the text has nothing to translate")
    return PreparedDocument(segments=tuple(segments), annotations_removed=annotations)


def _whole(paragraph: str) -> tuple[int, int]:
    """The span of the paragraph without its surrounding whitespace."""
    return len(paragraph) - len(paragraph.lstrip()), len(paragraph.rstrip())
