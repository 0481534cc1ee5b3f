"""Runs a suite through the service's own translation pipeline and scores it.

Lines go in as documents (a few in flight at once, so the batch queue fills its micro-batches), outputs
come back from the cache where they were made before, and every line is scored and checked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol

from tqdm import tqdm

from eval.cache import Output, OutputCache, SegmentOutput, output_key
from eval.fingerprint import KEY_VERSION, code_version, glossary_digest, templates_digest
from eval.metrics import CorpusScores, corpus_scores, segment_chrf
from eval.names import name_found
from eval.suites import Row, Suite
from service.engine.pending import Priority
from service.glossary import build_glossary, read_glossary_file
from service.models.backend import ModelInfo
from service.models.prompts import default_prompts_dir
from service.pipeline.checks import segment_problems
from service.pipeline.confidence import ConfidenceBasis, combined, confidence_of
from service.pipeline.translate import TranslateJob
from service.pipeline.types import Notice, TranslatedDocument, paragraph_of
from service.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineResult:
    line: int  # from 1
    source: str
    output: str
    reference: str
    chrf: float
    findings: tuple[Notice, ...]
    names_missed: tuple[str, ...] = ()  # the reference's pinyin names the output does not write
    confidence: float | None = None  # the lowest of its segments' (the sentence to check first)
    basis: ConfidenceBasis | None = None  # its segments' confidence bases together


@dataclass(frozen=True)
class RowResult:
    name: str
    lines: int
    scores: CorpusScores
    checks: dict[str, int]  # check code → lines it fired on
    glossary_terms: int  # (segment, term) pairs of the row's glossary found in the sources
    glossary_applied: int
    seconds: float  # wall time to get the outputs (translation, or the cache)
    generated_tokens: int
    translated: int  # documents translated now
    cached: int  # documents whose output came from the cache
    results: tuple[LineResult, ...]
    outputs: tuple[Output | None, ...] = ()  # per document, for what is built on the translation
    names_total: int = 0  # the reference's pinyin names, summed over lines (rows with names only)
    names_found: int = 0  # of those, the ones the output writes as the reference does


@dataclass(frozen=True)
class RunConfig:
    concurrency: int = 8  # documents in flight: enough to fill micro-batches, few enough to never time out
    use_cache: bool = True


class Translator(Protocol):
    """What the runner needs of the engine (`Gazette`); tests may hand it a fake."""

    async def translate(
        self, jobs: Sequence[TranslateJob], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[TranslatedDocument]: ...

    async def translator_info(self, source_lang: str = "zh") -> ModelInfo: ...


class SuiteRunner:
    def __init__(
        self, settings: Settings, engine: Translator, cache: OutputCache | None, config: RunConfig
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._cache = cache if config.use_cache else None
        self._config = config
        self._prompts_dir = default_prompts_dir()  # where the model factory reads its templates from
        self._code: str | None = None  # the code version, computed once per run (see code_version)

    async def run(self, suite: Suite) -> list[RowResult]:
        return [await self.run_row(row) for row in suite.rows]

    async def run_row(self, row: Row) -> RowResult:
        if row.system_outputs is not None:
            return score_system_outputs(row)
        texts = ["\n".join(row.sources)] if row.as_document else list(row.sources)
        fingerprint = await self.fingerprint(row)  # loads the model: not part of the timing
        started = time.perf_counter()
        outputs, cached = await self._outputs(texts, row, fingerprint)
        translated = len(texts) - cached
        seconds = round(time.perf_counter() - started, 2)
        return _score(row, outputs, seconds, translated, cached)

    async def fingerprint(self, row: Row) -> str:
        """What decides an output besides the text (eval/fingerprint.py says why each part is there)."""
        info = await self._engine.translator_info(row.source_lang)
        settings = self._settings
        if self._code is None:
            self._code = code_version()
        return json.dumps(
            {
                "key": KEY_VERSION,
                "model": asdict(info),
                "settings": [
                    settings.num_beams,
                    settings.max_segment_tokens,
                    settings.backend,
                    settings.auto_terms,
                    sorted(read_glossary_file(settings.glossary).items()) if settings.glossary else [],
                    settings.prompt_context,
                    settings.examples,  # with the pool: the examples shown (eval/examples_pool.py)
                ],
                "source_lang": row.source_lang,
                "clean_input": row.clean_input,
                "glossary": sorted(row.glossary.items()),
                "effective_glossary": glossary_digest(row.glossary),
                "templates": templates_digest(info.prompts, self._prompts_dir),
                "code": self._code,
            },
            sort_keys=True,
        )

    async def _outputs(self, texts: list[str], row: Row, fingerprint: str) -> tuple[list[Output | None], int]:
        keys = [output_key(fingerprint, text) for text in texts]
        found = [self._cache.get(key) if self._cache else None for key in keys]
        todo = [index for index, output in enumerate(found) if output is None]
        gate = asyncio.Semaphore(self._config.concurrency)
        with tqdm(total=len(texts), initial=len(texts) - len(todo), desc=row.name, unit="doc") as bar:

            async def translate(index: int) -> None:
                async with gate:
                    output = await self._translate(row, texts[index])
                found[index] = output
                if self._cache is not None and output is not None:
                    self._cache.put(keys[index], output)
                bar.update()

            await asyncio.gather(*(translate(index) for index in todo))
        return found, len(texts) - len(todo)

    async def _translate(self, row: Row, text: str) -> Output | None:
        """One document; a failure is recorded as a missing output, not fatal to the run."""
        job = TranslateJob(text, row.source_lang, glossary=row.glossary, clean_input=row.clean_input)
        try:
            (document,) = await self._engine.translate([job], priority=Priority.BULK)
            return output_of(document)
        except Exception as error:  # any failure of one line is scored as an empty output, and said
            log.warning(
                "%s: a line failed (%s: %s); scored as an empty output", row.name, type(error).__name__, error
            )
            return None


def output_of(document: TranslatedDocument) -> Output:
    bases = document.confidence_basis or tuple(None for _ in document.segments)
    segments = tuple(
        SegmentOutput(s.id, s.normalized, s.translation, s.source, s.confidence, basis)
        for s, basis in zip(document.segments, bases, strict=True)
    )
    return Output(document.translation, segments, document.generated_tokens, document.seconds)


def score_system_outputs(row: Row) -> RowResult:
    """A row whose outputs come with the data (calibration): scored, nothing translated."""
    outputs: list[Output | None] = [Output(line, (), 0, 0.0) for line in row.system_outputs or ()]
    return _score(row, outputs, 0.0, 0, 0)


def _line_outputs(row: Row, outputs: Sequence[Output | None]) -> list[tuple[str, tuple[SegmentOutput, ...]]]:
    """Per source line: its output text and its segments (a document's paragraphs map back to lines)."""
    if not row.as_document:
        return [(o.translation, o.segments) if o else ("", ()) for o in outputs]
    document = outputs[0]
    lines: list[tuple[str, tuple[SegmentOutput, ...]]] = [("", ()) for _ in row.sources]
    if document is None:
        return lines
    non_empty = [index for index, line in enumerate(row.sources) if line.strip()]
    by_paragraph: dict[int, list[SegmentOutput]] = {}
    for segment in document.segments:
        by_paragraph.setdefault(paragraph_of(segment.id), []).append(segment)
    for paragraph, index in enumerate(non_empty, start=1):
        parts = by_paragraph.get(paragraph, [])
        lines[index] = (" ".join(s.translation for s in parts if s.translation), tuple(parts))
    return lines


def _confidence(segment: SegmentOutput) -> float | None:
    return confidence_of(segment.basis) if segment.basis is not None else segment.confidence


def _score(
    row: Row, outputs: Sequence[Output | None], seconds: float, translated: int, cached: int
) -> RowResult:
    glossary = build_glossary(row.glossary, include_builtin=False) if row.glossary else None
    results: list[LineResult] = []
    checks: Counter[str] = Counter()
    terms_found = terms_applied = 0
    line_names = row.names or tuple(() for _ in row.sources)
    for number, ((output, segments), source, reference, names) in enumerate(
        zip(_line_outputs(row, outputs), row.sources, row.references, line_names, strict=True), start=1
    ):
        findings: list[Notice] = []
        checked = segments or (SegmentOutput("", source, output),)
        for segment in checked:
            matches = glossary.find(segment.normalized) if glossary else []
            terms = list(dict.fromkeys((m.entry.term, m.entry.rendering) for m in matches))
            problems = segment_problems(segment.normalized, segment.translation, row.source_lang, terms)
            findings += [Notice(p.code, p.message, segment.id or None) for p in problems]
            terms_found += len(terms)
            terms_applied += sum(r.casefold() in segment.translation.casefold() for _, r in terms)
        checks.update({finding.code for finding in findings})
        missed = tuple(name for name in names if not name_found(name, output))
        chrf = segment_chrf(output, reference)
        # From each segment's basis under the calibration in force now (the cache keeps the basis, and
        # its key leaves the calibration out); the lowest segment's: the line's weakest part.
        confidences = [c for s in segments if (c := _confidence(s)) is not None]
        basis = combined([s.basis for s in segments])
        confidence = min(confidences) if confidences else None
        results.append(
            LineResult(number, source, output, reference, chrf, tuple(findings), missed, confidence, basis)
        )
    names_total = sum(len(names) for names in line_names)
    return RowResult(
        name=row.name,
        lines=len(results),
        scores=corpus_scores([r.output for r in results], [r.reference for r in results]),
        checks=dict(sorted(checks.items())),
        glossary_terms=terms_found,
        glossary_applied=terms_applied,
        seconds=seconds,
        generated_tokens=sum(o.generated_tokens for o in outputs if o is not None),
        translated=translated,
        cached=cached,
        results=tuple(results),
        outputs=tuple(outputs),
        names_total=names_total,
        names_found=names_total - sum(len(r.names_missed) for r in results),
    )
