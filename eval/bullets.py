"""Summary scoring for suites with reference bullets (the seed): the service's own bullet verifier
re-run on what was shipped, bullet count and length, how many of the reference bullets' source lines the
bullets cite, and ROUGE against the reference bullets."""

from __future__ import annotations

from collections import Counter
from typing import Any

from eval.cache import Output
from eval.metrics import rouge
from eval.suites import ReferenceBullet
from service.pipeline.bullets import MAX_WORDS, check_bullet
from service.pipeline.summarize import Summary
from service.pipeline.types import TranslatedDocument, TranslatedSegment, paragraph_of
from service.text.words import word_count


def document_of(output: Output, source_lang: str) -> TranslatedDocument:
    """The translated document back from what the evaluation kept of it (cached or fresh)."""
    segments = tuple(
        TranslatedSegment(s.id, paragraph_of(s.id), s.source or s.normalized, s.normalized, s.translation)
        for s in output.segments
    )
    return TranslatedDocument(source_lang, None, output.translation, segments)


def score_summary(
    summary: Summary, document: TranslatedDocument, references: tuple[ReferenceBullet, ...], requested: int
) -> dict[str, Any]:
    texts = [bullet.text for bullet in summary.bullets]
    bullets: list[dict[str, Any]] = []
    for index, bullet in enumerate(summary.bullets):
        others = texts[:index] + texts[index + 1 :]
        bullets.append(
            {
                "text": bullet.text,
                "sources": list(bullet.sources),
                "origin": bullet.origin,
                "words": word_count(bullet.text),
                "problems": check_bullet(bullet, document, others),
            }
        )
    if not 1 <= len(bullets) <= requested:
        count_problem = [f"{len(bullets)} bullets for {requested} asked"]
    else:
        count_problem = []
    cited_lines = {paragraph_of(source) for bullet in summary.bullets for source in bullet.sources}
    reference_lines = {line for reference in references for line in reference.source_lines}
    problems = Counter(code for bullet in bullets for code in bullet["problems"])
    return {
        "bullets": bullets,
        "requested": requested,
        "problems": dict(problems) | ({"bullet_count": 1} if count_problem else {}),
        "max_words": MAX_WORDS,
        "reference_lines_cited": sorted(cited_lines & reference_lines),
        "reference_lines": sorted(reference_lines),
        "rouge": rouge(texts, [reference.text for reference in references]) if texts else {},
        "regenerated": summary.regenerated,
        "replaced": summary.replaced,
        "dropped": summary.dropped,
        "templates": list(summary.templates),
        "model": summary.model,
        "generated_tokens": summary.generated_tokens,
        "seconds": summary.seconds,
    }
