"""`gazette bench`: the adapter. Phase 1 in process, phase 2 against a `gazette serve` subprocess."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.bench.ceiling import Ceiling, ModelFacts, ensure_opus_shape, measure_ceiling
from service.bench.document import render_document, run_document
from service.bench.engines import compare_engines, render_engines
from service.bench.load import closed_loop, head_of_line, idle_latency
from service.bench.report import BenchReport, Setup, render, write_json
from service.bench.scenario import LineBehindDocument, line_behind_document, render_scenario
from service.bench.sentences import SentencePool
from service.bench.server import free_port, running_server
from service.commandline import Subcommands, add_model_flags, settings_from_args
from service.settings import Settings

log = logging.getLogger(__name__)

ENGINES = ("llama.cpp", "ctranslate2", "transformers")


@dataclass(frozen=True)
class Options:
    clients: int
    seconds: float
    batch: int
    hol_sentences: int
    port: int | None


def _setup(settings: Settings, pool: SentencePool, facts: ModelFacts) -> Setup:
    return Setup(
        model=facts,
        num_beams=settings.num_beams,
        max_batch_size=settings.max_batch_size,
        max_batch_tokens=settings.max_batch_tokens,
        batch_linger=settings.batch_linger,
        cpu_count=os.cpu_count() or 1,
        sentences=pool.origin,
        token_range=(min(pool.tokens), max(pool.tokens)),
        pool_size=len(pool.sentences),
    )


async def _over_http(
    settings: Settings, options: Options, pool: SentencePool, ceiling: Ceiling, setup: Setup
) -> BenchReport:
    port = options.port or free_port()
    with (
        tempfile.TemporaryDirectory(prefix="gazette-bench-") as scratch,
        running_server(settings, port, Path(scratch)) as server,
    ):
        log.info("bench: starting gazette serve on port %d", port)
        ready = await asyncio.to_thread(server.wait_ready)
        timeout = httpx.Timeout(settings.request_timeout + 30)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=timeout) as client:
            idle = await idle_latency(client, pool.sentences)
            log.info("bench: %d clients for %g s", options.clients, options.seconds)
            load = await closed_loop(client, pool.sentences, options.clients, options.seconds)
            # The document gets a generous wait: its own batches, and as many again.
            patience = 30 + 2 * ceiling.batch_seconds * (options.hol_sentences / ceiling.batch + 1)
            hol = await head_of_line(client, pool.sentences, options.hol_sentences, patience)
        shutdown = await asyncio.to_thread(server.stop)
    return BenchReport(setup, ceiling, ready, idle, load, hol, shutdown)


async def run_bench(settings: Settings, options: Options) -> BenchReport:
    log.info("bench: measuring the engine's ceiling in process")
    pool, ceiling, facts = await measure_ceiling(settings, options.batch, options.clients)
    gc.collect()  # the engine of phase 1 is gone before the server loads its own
    return await _over_http(settings, options, pool, ceiling, _setup(settings, pool, facts))


def _bench(args: argparse.Namespace) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would bury the bench's own
    # Without the translation memory: a bench sends the same sentences again and again, and measures the
    # model, not the memory answering them.
    settings = settings_from_args(args, memory=False)
    if args.build_shape:
        folder = ensure_opus_shape(settings.model_cache)
        settings = settings_from_args(args, profile="tiny", translate_model=str(folder), memory=False)
    if args.engines:
        results = asyncio.run(compare_engines(settings, args.engines, args.clients, args.seconds))
        sys.stdout.write(render_engines(results, settings))
        return 0
    if args.document:
        run = asyncio.run(run_document(settings, Path(args.document), args.summarize, args.bullets))
        sys.stdout.write(render_document(run))
        return 0
    if args.line_behind_document:
        sys.stdout.write(render_scenario(asyncio.run(_scenario(settings, args))))
        return 0
    if len(args.clients) != 1:
        raise SystemExit("gazette bench: several --clients counts need --engines")
    options = Options(args.clients[0], args.seconds, args.batch, args.hol_sentences or 64, args.port)
    report = asyncio.run(run_bench(settings, options))
    sys.stdout.write(render(report))
    if args.json:
        write_json(report, Path(args.json))
    return 0


async def _scenario(settings: Settings, args: argparse.Namespace) -> LineBehindDocument:
    log.info("bench: measuring the engine's ceiling in process")
    pool, ceiling, _ = await measure_ceiling(settings, args.batch, 1)
    gc.collect()
    count = args.hol_sentences or 160
    return await line_behind_document(settings, pool.sentences, ceiling, count, args.delay)


def _positive(kind: Callable[[str], float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    return parse


def _counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or min(counts) <= 0:
        raise argparse.ArgumentTypeError(f"must be positive whole numbers, not {text}")
    return counts


def _engines(text: str) -> list[str]:
    engines = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or not engines:
        raise argparse.ArgumentTypeError(
            f"unknown engine {', '.join(unknown)}; choose from {', '.join(ENGINES)}"
        )
    return engines


def register(commands: Subcommands) -> None:
    bench = commands.add_parser(
        "bench", help="load against the HTTP API beside the engine's batch ceiling (not a test)"
    )
    bench.add_argument(
        "--clients",
        type=_counts,
        default=[16],
        help="closed-loop HTTP clients; with --engines, a list such as 1,4,8 (one run per count)",
    )
    bench.add_argument(
        "--engines",
        type=_engines,
        help="compare engines (llama.cpp, ctranslate2, transformers) on the same load, such as "
        "llama.cpp,ctranslate2: tokens per second for each --clients count",
    )
    bench.add_argument("--seconds", type=_positive(float), default=60.0, help="length of the load phase")
    bench.add_argument("--batch", type=_positive(int), default=16, help="batch size of the engine ceiling")
    bench.add_argument(
        "--hol-sentences",
        dest="hol_sentences",
        type=_positive(int),
        help="sentences in the large document of the head-of-line figure (64; 160 with --line-behind-document)",
    )
    bench.add_argument(
        "--line-behind-document",
        dest="line_behind_document",
        action="store_true",
        help="only the scenario of one sentence sent --delay seconds after a document (160 sentences, or "
        "--hol-sentences) on a fresh server warmed by four one-sentence requests, beside its bounds",
    )
    bench.add_argument("--delay", type=_positive(float), default=2.0, help="see --line-behind-document")
    bench.add_argument(
        "--document",
        metavar="FILE",
        help="only one document, streamed in process: first segment, p1.s1, total, and the tokens the model"
        " spent against the document's own ((prompt + generated) / (source + generated))",
    )
    bench.add_argument("--summarize", action="store_true", help="with --document: summarise it as well")
    bench.add_argument("--bullets", type=_positive(int), default=5, help="with --summarize")
    bench.add_argument(
        "--build-shape",
        dest="build_shape",
        action="store_true",
        help="measure a random-weight model of opus-mt-zh-en's shape (built once into the model cache)",
    )
    bench.add_argument("--port", type=int, help="port for the server it starts (default: a free one)")
    bench.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    add_model_flags(bench)
    bench.set_defaults(handler=_bench)
