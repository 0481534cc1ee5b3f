"""`gazette eval`: load a suite, run it through the service's pipeline, print and write the reports."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from eval.bullets import document_of, score_summary
from eval.cache import OutputCache
from eval.report import build_report, compare, markdown, write_reports
from eval.runner import RowResult, RunConfig, SuiteRunner, score_system_outputs
from eval.suites import DataMissing, Suite, load_suite, without_glossaries
from service.engine.pending import Priority
from service.gazette import Gazette
from service.settings import Settings

# A run queues its lines a few at a time, but one long document (the seed) on a slow CPU model can
# take minutes: the service's per-request timeout is meant for HTTP callers, not for this.
EVAL_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class EvalOptions:
    suite: str = "seed"
    limit: int | None = None
    report_dir: Path | None = None
    compare_with: Path | None = None
    use_cache: bool = True
    no_glossary: bool = False  # rows translated without their own glossaries (built-in and automatic only)
    fit_confidence: bool = False  # print the confidence calibration fitted on this run's lines
    examples_pool: bool = False  # instruction models shown examples from the WMT 2017-18 pool


def cache_path(settings: Settings) -> Path:
    return settings.model_cache / "eval-outputs.sqlite3"


async def run_eval(settings: Settings, options: EvalOptions, out: TextIO | None = None) -> dict[str, Any]:
    """Run one suite; print its Markdown table (and the comparison); write the reports if asked."""
    out = out or sys.stdout
    settings = settings.model_copy(update={"request_timeout": max(settings.request_timeout, EVAL_TIMEOUT_S)})
    settings = _with_examples(settings, options.examples_pool, out)
    suite = load_suite(options.suite, settings.eval_data(), options.limit)
    if options.no_glossary:
        # The rows' glossaries are part of the output cache key: outputs made with them are not reused.
        suite = without_glossaries(suite)
    old = json.loads(options.compare_with.read_text(encoding="utf-8")) if options.compare_with else None
    started = time.perf_counter()
    bullets = None
    if all(row.system_outputs is not None for row in suite.rows):
        rows = [score_system_outputs(row) for row in suite.rows]
        profile, model = "none", "system outputs shipped with the data"
    else:
        rows, profile, model, bullets = await _translate_and_score(settings, suite, options)
    meta = {
        "suite": suite.name,
        "description": suite.description,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": profile,
        "model": model,
        "limit": options.limit,
        "no_glossary": options.no_glossary,
        "examples_pool": options.examples_pool,
        "data_dir": str(settings.eval_data()),
        "seconds": round(time.perf_counter() - started, 1),
    }
    report = build_report(meta, rows, bullets)
    out.write(markdown(report))
    if options.fit_confidence:
        out.write(_fitted(rows, f"{suite.name}, {report['profile']}") + "\n")
    if old is not None:
        out.write(compare(report, old) + "\n")
    if options.report_dir is not None:
        for path in write_reports(report, options.report_dir):
            out.write(f"wrote {path}\n")
    return report


def _with_examples(settings: Settings, pool: bool, out: TextIO) -> Settings:
    """Without the pool, no examples at all (whatever the service's database holds); with it, the
    evaluation's own database holding the WMT 2017-18 pool and nothing else."""
    if not pool:
        return settings.model_copy(update={"examples": False})
    from eval.examples_pool import file_pool, pool_database

    database = pool_database(settings.model_cache)
    data = settings.eval_data()
    if data is None:
        raise DataMissing("no evaluation data folder: the example pool is read from it")
    held = file_pool(database, data)
    out.write(f"example pool: {held} WMT newstest2017-2018 pairs in {database}\n")
    return settings.model_copy(update={"examples": True, "db": str(database)})


def _fitted(rows: list[RowResult], fitted_on: str) -> str:
    """The calibration fitted on the run's lines, as the line to put in service/pipeline/confidence.py."""
    from eval.confidence import fit_calibration

    lines = [line for row in rows for line in row.results]
    try:
        return f"fitted confidence calibration: {fit_calibration(lines, fitted_on)!r}"
    except ValueError as error:
        return f"no confidence calibration fitted: {error}"


async def _translate_and_score(
    settings: Settings, suite: Suite, options: EvalOptions
) -> tuple[list[RowResult], str, str, dict[str, Any] | None]:
    cache = OutputCache(cache_path(settings)) if options.use_cache else None
    try:
        async with Gazette(settings) as gz:
            runner = SuiteRunner(settings, gz, cache, RunConfig(use_cache=options.use_cache))
            rows = await runner.run(suite)
            bullets = await _bullets(gz, suite, rows) if suite.reference_bullets else None
            active = gz.profile
            loaded = gz.loaded()
            profile = active.profile.name if active else settings.profile
            model = f"{loaded[0].model} ({loaded[0].engine})" if loaded else "none"
            return rows, profile, model, bullets
    finally:
        if cache is not None:
            cache.close()


async def _bullets(gz: Gazette, suite: Suite, rows: list[RowResult]) -> dict[str, Any] | None:
    """Summarise the suite's document from its translation (as many bullets as the reference has)."""
    output = rows[0].outputs[0] if rows and rows[0].outputs else None
    if output is None:
        return None
    row = suite.rows[0]
    model = await gz.translator_info(row.source_lang)
    document = document_of(output, row.source_lang, row.glossary, model)
    requested = len(suite.reference_bullets)
    summary = await gz.summarize_document(document, requested, priority=Priority.BULK)
    return score_summary(summary, document, suite.reference_bullets, requested)
