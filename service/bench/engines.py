"""`gazette bench --engines A,B --clients 1,4,8`: the same load on each engine, in one run.

For each engine a `gazette serve` is started with GAZETTE_BACKEND set to it; then, for each number of
clients, the HTTP phase's closed loop (`load.closed_loop`): that many callers each send one sentence and
the next as soon as it is answered.
Generated tokens are counted from the responses (`generated_tokens`), so engines are compared on the
work they did, whatever their batching.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.bench.load import LoadRun, closed_loop, translate
from service.bench.sentences import one_sentence, read_flores, synthetic_sentences
from service.bench.server import free_port, running_server
from service.settings import Settings

log = logging.getLogger(__name__)

SENTENCES = 200


@dataclass(frozen=True)
class EngineLoad:
    engine: str
    run: LoadRun

    @property
    def tokens_per_second(self) -> float:
        return self.run.new_tokens / self.run.elapsed


def bench_sentences(settings: Settings) -> list[str]:
    """Single FLORES-200 zho_Hans sentences where the data is here, else synthetic ones."""
    lines = read_flores(settings.eval_data()) or synthetic_sentences(SENTENCES)
    return [line for line in lines if one_sentence(line)][:SENTENCES]


async def compare_engines(
    settings: Settings, engines: Sequence[str], clients: Sequence[int], seconds: float
) -> list[EngineLoad]:
    sentences = bench_sentences(settings)
    results: list[EngineLoad] = []
    for engine in engines:
        engine_settings = settings.model_copy(update={"backend": engine})
        with (
            tempfile.TemporaryDirectory(prefix="gazette-bench-") as scratch,
            running_server(engine_settings, free_port(), Path(scratch)) as server,
        ):
            log.info("bench: starting gazette serve on %s", engine)
            await asyncio.to_thread(server.wait_ready)
            timeout = httpx.Timeout(settings.request_timeout + 30)
            async with httpx.AsyncClient(base_url=server.base_url, timeout=timeout) as client:
                await translate(client, sentences[-1])  # warm-up: first allocations, prompt heads
                for count in clients:
                    log.info("bench: %s, %d clients for %g s", engine, count, seconds)
                    results.append(EngineLoad(engine, await closed_loop(client, sentences, count, seconds)))
            await asyncio.to_thread(server.stop)
    return results


def render_engines(results: Sequence[EngineLoad], settings: Settings) -> str:
    lines = [
        f"# Engines compared (profile {settings.profile}, max batch size {settings.max_batch_size})",
        "",
        "| engine | clients | requests | generated tokens | tokens/s | sentences/s | p50 latency | p95 | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        run = result.run
        errors = ", ".join(f"{code}: {count}" for code, count in sorted(run.errors.items())) or "none"
        lines.append(
            f"| {result.engine} | {run.clients} | {run.requests} | {run.new_tokens} | "
            f"{result.tokens_per_second:.1f} | {run.sentences_per_second:.2f} | {run.p50:.1f} s | "
            f"{run.p95:.1f} s | {errors} |"
        )
    return "\n".join(lines) + "\n"
