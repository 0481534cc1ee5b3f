"""`gazette eval`: the harness's own command, registered through the `gazette.commands` entry point."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from eval import SUITE_NAMES
from service.commandline import Subcommands, add_model_flags, settings_from_args


def _eval(args: argparse.Namespace) -> int:
    from eval.harness import EvalOptions, run_eval
    from eval.suites import DataMissing

    options = EvalOptions(
        suite=args.suite,
        limit=args.limit,
        report_dir=Path(args.report) if args.report else None,
        compare_with=Path(args.compare) if args.compare else None,
        use_cache=not args.no_cache,
        no_glossary=args.no_glossary,
        fit_confidence=args.fit_confidence,
        examples_pool=args.examples_pool,
    )
    try:
        # The model is measured, not the translation memory (which would answer a second run from the first).
        asyncio.run(run_eval(settings_from_args(args, memory=False), options))
    except (DataMissing, json.JSONDecodeError) as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 2
    return 0


def register(commands: Subcommands) -> None:
    evaluation = commands.add_parser("eval", help="score the pipeline on an evaluation suite")
    evaluation.add_argument("--suite", choices=SUITE_NAMES, default="seed")
    evaluation.add_argument(
        "--limit", type=int, help="only the first N lines of each set (names: of those with names)"
    )
    evaluation.add_argument("--report", metavar="DIR", help="write JSON, Markdown and HTML reports here")
    evaluation.add_argument("--compare", metavar="OLD.json", help="print the changes since an earlier report")
    evaluation.add_argument(
        "--no-cache", dest="no_cache", action="store_true", help="translate everything again"
    )
    evaluation.add_argument(
        "--no-glossary",
        dest="no_glossary",
        action="store_true",
        help="leave out the suite's own glossaries: only the built-in and automatic renderings apply",
    )
    evaluation.add_argument(
        "--fit-confidence",
        dest="fit_confidence",
        action="store_true",
        help="print the segment-confidence calibration fitted on this run's lines (use a development "
        "suite such as flores-dev, never the lines a figure is reported on)",
    )
    evaluation.add_argument(
        "--examples-pool",
        dest="examples_pool",
        action="store_true",
        help="show instruction models examples from the WMT newstest2017-2018 pool (filed in a database "
        "of the evaluation's own); without it no examples are shown",
    )
    add_model_flags(evaluation)
    evaluation.set_defaults(handler=_eval)
