"""Summary scoring for suites with reference bullets (the seed): the evaluation's own checks of every
bullet (eval/bullet_checks.py, not the service's verifier, which chose these bullets and so would pass
them all), bullet count, how many of the reference bullets' source lines the bullets cite, and ROUGE
against the reference bullets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from eval.bullet_checks import MAX_WORDS, check_bullets, word_total
from eval.cache import Output
from eval.metrics import rouge
from eval.suites import ReferenceBullet
from service.glossary import build_glossary
from service.models.backend import ModelInfo
from service.pipeline.summarize import Summary
from service.pipeline.terms import report_terms
from service.pipeline.types import TranslatedDocument, TranslatedSegment, paragraph_of
from service.text.normalize import to_simplified


def document_of(
    output: Output,
    source_lang: str,
    glossary: Mapping[str, str] | None = None,
    model: ModelInfo | None = None,
) -> TranslatedDocument:
    """The translated document back from what the evaluation kept of it (cached or fresh), with the
    glossary report the pipeline made (the row's glossary over the built-in and automatic ones): the
    summariser checks a bullet's names against it, as it does in the service."""
    segments = tuple(
        TranslatedSegment(s.id, paragraph_of(s.id), s.source or s.normalized, s.normalized, s.translation)
        for s in output.segments
    )
    text = "\n".join(segment.normalized for segment in segments)
    terms = build_glossary(glossary, auto_from=text if source_lang == "zh" else None)
    uses = [
        (s.id, [match.entry for match in terms.find(to_simplified(s.normalized))], s.translation)
        for s in segments
    ]
    report = tuple(report_terms(uses))
    return TranslatedDocument(source_lang, None, output.translation, segments, glossary=report, model=model)


def score_summary(
    summary: Summary, document: TranslatedDocument, references: tuple[ReferenceBullet, ...], requested: int
) -> dict[str, Any]:
    texts = [bullet.text for bullet in summary.bullets]
    checks = check_bullets(texts, [bullet.sources for bullet in summary.bullets], document)
    bullets = [
        {
            "text": bullet.text,
            "sources": list(bullet.sources),
            "origin": bullet.origin,
            "words": word_total(bullet.text),
            "problems": list(check.problems),
            "notes": list(check.notes),  # the same problems, said with what was found
        }
        for bullet, check in zip(summary.bullets, checks, strict=True)
    ]
    problems = Counter(code for check in checks for code in check.problems)
    if not 1 <= len(bullets) <= requested:
        problems["bullet_count"] = 1
    cited_lines = {paragraph_of(source) for bullet in summary.bullets for source in bullet.sources}
    reference_lines = {line for reference in references for line in reference.source_lines}
    return {
        "bullets": bullets,
        "requested": requested,
        "problems": dict(sorted(problems.items())),  # problem code → bullets it was found on
        "bullets_with_problems": sum(bool(check.problems) for check in checks),
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
