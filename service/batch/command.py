"""`gazette batch`: the adapter. Gathers the inputs, resumes the output, runs the pending items in process,
through a server (`--server`) or on Ray (`--ray`), and reports."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.commandline import Subcommands, add_model_flags, settings_from_args
from service.jobs.records import TASKS, ItemInput
from service.jobs.work import JobOptions

LOCAL_RAY = ""  # `--ray` without an address: a local Ray instance


def register(commands: Subcommands) -> None:
    batch = commands.add_parser(
        "batch",
        help="translate or summarize many files; resumable; in process, via a server or on Ray",
        description="Writes one JSON line per item to --out (id, file, translation, segments, bullets, "
        "warnings, error) and, for every input but .jsonl, the translated file in its own format "
        "under '<out stem>.files/<relative name>' beside it. Running it again skips every id already in "
        "--out. Exit code 0 once every item is in --out (some may hold an error), 130 on Ctrl-C.",
    )
    # "*", checked in the handler: `--ray INPUT...` takes the first input as its address (see below).
    batch.add_argument("inputs", nargs="*", metavar="INPUT", help="files and folders (read recursively)")
    batch.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="PATH",
        help="the output .jsonl; translated files go to <out stem>.files/ beside it",
    )
    batch.add_argument("--task", choices=TASKS, default="translate")
    batch.add_argument("--source-lang", dest="source_lang", default="auto")
    batch.add_argument("--bullets", type=int, default=5, help="at most this many bullets (1-10)")
    batch.add_argument("--glossary", type=Path, metavar="TSV", help="term<TAB>rendering lines")
    batch.add_argument(
        "--concurrency", type=int, default=4, help="items in flight at once (on Ray: per actor)"
    )
    where = batch.add_mutually_exclusive_group()
    where.add_argument(
        "--server",
        metavar="URL",
        help="run as a job on a gazette server (its jobs API; several jobs for a very large batch)",
    )
    where.add_argument(
        "--ray",
        nargs="?",
        const=LOCAL_RAY,
        metavar="ADDRESS",
        help="run on Ray: a local instance, or the cluster at ADDRESS (needs pip install 'gazette[ray]')",
    )
    batch.add_argument("--actors", type=int, default=1, help="with --ray: actors, each with one engine")
    batch.add_argument("--summarize-model", dest="summarize_model", help="hub id, directory or .gguf")
    add_model_flags(batch)
    batch.set_defaults(handler=_batch)


def _invalid(args: argparse.Namespace) -> str | None:
    if not args.inputs:
        return "give one or more INPUT files or folders"
    if not 1 <= args.bullets <= 10:
        return "--bullets must be between 1 and 10"
    if args.concurrency < 1 or args.actors < 1:
        return "--concurrency and --actors must be at least 1"
    if args.out.suffix != ".jsonl":
        return f"--out must name a .jsonl file, not {args.out}"
    return None


def _take_back_input(args: argparse.Namespace) -> None:
    # `--ray INPUT...` reads the first input as the address: an existing path is an input, not a cluster.
    if args.ray and Path(args.ray).exists():
        args.inputs.insert(0, args.ray)
        args.ray = LOCAL_RAY


def _batch(args: argparse.Namespace) -> int:
    import httpx

    from service.batch.client import ServerError
    from service.batch.inputs import BatchInputError, read_glossary
    from service.batch.on_ray import RayFailed, RayMissing

    if args.ray is not None:
        _take_back_input(args)
    problem = _invalid(args)
    if problem is None and args.ray is not None and not _ray_importable():
        problem = str(RayMissing())
    if problem is not None:
        print(f"gazette batch: {problem}", file=sys.stderr)
        return 2
    try:
        glossary = read_glossary(args.glossary) if args.glossary else {}
        options = JobOptions(args.task, args.source_lang, glossary, args.bullets)
        return _run(args, options)
    except (BatchInputError, RayMissing) as error:
        print(f"gazette batch: {error}", file=sys.stderr)
        return 2
    except (ServerError, httpx.HTTPError) as error:
        print(f"gazette batch: {args.server}: {error}", file=sys.stderr)
        return 1
    except RayFailed as error:
        print(f"gazette batch: on Ray: {error}", file=sys.stderr)
        return 1


def _ray_importable() -> bool:
    from importlib.util import find_spec

    return find_spec("ray") is not None


def _run(args: argparse.Namespace, options: JobOptions) -> int:
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    from service.batch.inputs import gather
    from service.batch.output import BatchOutput, Recorder

    gathered = gather(args.inputs)
    output = BatchOutput(args.out)
    recorder = Recorder(output, gathered.sources)
    pending = [item for item in gathered.items if item.id not in output.done]
    unreadable = [record for record in gathered.unreadable if record["id"] not in output.done]
    before = len(output.done)
    started = time.monotonic()
    total = len(pending) + len(unreadable)
    bar = tqdm(total=total, unit="item", file=sys.stderr, desc="batch", disable=total == 0)
    interrupted = False
    try:
        with logging_redirect_tqdm():  # log lines go above the bar instead of through it
            for record in unreadable:
                recorder.add(record)
                bar.update()
            if pending:
                _dispatch(args, options, pending, recorder.add, bar)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        output.close()
    seconds = time.monotonic() - started
    left = [found for found in gathered.ids() if found not in output.done]
    rate = recorder.written / seconds if seconds > 0 else 0.0
    print(
        f"batch: {recorder.written} items done ({recorder.failed} failed) in {seconds:.1f} s, "
        f"{rate:.2f} items/s; {before} already in {args.out}; {len(left)} not done"
        + ("; interrupted" if interrupted else "")
    )
    return 130 if interrupted else (1 if left else 0)


def _dispatch(
    args: argparse.Namespace,
    options: JobOptions,
    pending: list[ItemInput],
    add: Callable[[dict[str, Any]], bool],
    bar: Any,
) -> None:
    """Run the pending items where the flags say; every record goes to `add`, and the bar follows."""

    def emit(record: dict[str, Any]) -> None:
        if add(record):
            bar.update()

    if args.server is not None:
        _on_server(args.server, options, pending, add, bar)
    elif args.ray is not None:
        from service.batch.on_ray import run_on_ray

        settings = settings_from_args(args)
        batch_size = args.concurrency  # the rows an actor runs at once
        run_on_ray(
            args.ray or None, settings, pending, options, emit, actors=args.actors, batch_size=batch_size
        )
    else:
        import asyncio

        from service.batch.local import run_local

        settings = settings_from_args(args)
        asyncio.run(run_local(settings, pending, options, args.concurrency, emit))


def _on_server(
    url: str, options: JobOptions, pending: list[ItemInput], add: Callable[[dict[str, Any]], bool], bar: Any
) -> None:
    from service.batch.client import connect, run_on_server

    offset = bar.n  # the unreadable files' records, already counted

    def progress(finished: int) -> None:
        bar.update(max(0, offset + finished - bar.n))

    with connect(url) as client:
        try:
            # The bar follows the server's counts; the records arrive once each job is done.
            run_on_server(client, pending, options, add, progress)
        except KeyboardInterrupt:
            print(
                "gazette batch: the server goes on with the job; the same command run again collects "
                "it (its submission is idempotent)",
                file=sys.stderr,
            )
            raise
