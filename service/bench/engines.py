"""`gazette bench --engines A,B --clients 1,4,8`: the same load on each engine, in one run.

For each engine a `gazette serve` is started with GAZETTE_BACKEND set to it; then, for each number of
clients, that many closed-loop callers each send one sentence and the next as soon as it is answered.
Generated tokens are counted from the responses (`generated_tokens`), so engines are compared on the
work they did, whatever their batching.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from service.bench.load import percentile
from service.bench.sentences import one_sentence, read_flores, synthetic_sentences
from service.bench.server import free_port, running_server
from service.settings import Settings

log = logging.getLogger(__name__)

SENTENCES = 200


@dataclass(frozen=True)
class EngineLoad:
    engine: str
    clients: int
    elapsed: float  # from the first request to the last answer
    requests: int
    new_tokens: int
    tokens_per_second: float
    sentences_per_second: float
    p50: float
    p95: float
    errors: dict[str, int]


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    new_tokens: int = 0
    sentences: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def bench_sentences(settings: Settings) -> list[str]:
    """Single FLORES-200 zho_Hans sentences where the data is here, else synthetic ones."""
    lines = read_flores(settings.eval_data()) or synthetic_sentences(SENTENCES)
    return [line for line in lines if one_sentence(line)][:SENTENCES]


async def _one(client: httpx.AsyncClient, text: str, tally: _Tally) -> None:
    started = time.perf_counter()
    try:
        response = await client.post("/v1/translate", json={"text": text, "source_lang": "zh"})
    except httpx.HTTPError as error:
        tally.errors[type(error).__name__] = tally.errors.get(type(error).__name__, 0) + 1
        return
    if response.status_code != 200:
        tally.errors[str(response.status_code)] = tally.errors.get(str(response.status_code), 0) + 1
        await asyncio.sleep(0.1)
        return
    tally.latencies.append(time.perf_counter() - started)
    for document in response.json()["documents"]:
        tally.new_tokens += document["generated_tokens"]
        tally.sentences += len(document["segments"])


async def _load(
    client: httpx.AsyncClient, engine: str, sentences: Sequence[str], clients: int, seconds: float
) -> EngineLoad:
    tally, turns = _Tally(), itertools.count()
    started = time.perf_counter()

    async def caller() -> None:
        while time.perf_counter() - started < seconds:
            await _one(client, sentences[next(turns) % len(sentences)], tally)

    await asyncio.gather(*(caller() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return EngineLoad(
        engine=engine,
        clients=clients,
        elapsed=elapsed,
        requests=len(tally.latencies),
        new_tokens=tally.new_tokens,
        tokens_per_second=tally.new_tokens / elapsed,
        sentences_per_second=tally.sentences / elapsed,
        p50=statistics.median(tally.latencies) if tally.latencies else 0.0,
        p95=percentile(tally.latencies, 0.95),
        errors=tally.errors,
    )


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
                await _one(client, sentences[-1], _Tally())  # warm-up: first allocations, prompt heads
                for count in clients:
                    log.info("bench: %s, %d clients for %g s", engine, count, seconds)
                    results.append(await _load(client, engine, sentences, count, seconds))
            await asyncio.to_thread(server.stop)
    return results


def render_engines(results: Sequence[EngineLoad], settings: Settings) -> str:
    lines = [
        f"# Engines compared (profile {settings.profile}, max batch size {settings.max_batch_size})",
        "",
        "| engine | clients | requests | generated tokens | tokens/s | sentences/s | p50 latency | p95 | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in results:
        errors = ", ".join(f"{code}: {count}" for code, count in sorted(run.errors.items())) or "none"
        lines.append(
            f"| {run.engine} | {run.clients} | {run.requests} | {run.new_tokens} | "
            f"{run.tokens_per_second:.1f} | {run.sentences_per_second:.2f} | {run.p50:.1f} s | "
            f"{run.p95:.1f} s | {errors} |"
        )
    return "\n".join(lines) + "\n"
