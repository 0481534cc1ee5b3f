"""Phase 2, over HTTP: idle latency, a closed loop of clients, and a short request behind a large one."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from service.bench.scrape import BatchDelta, Scrape, batch_delta, parse_metrics

ERROR_PAUSE = 0.1  # after a refused request, so a client does not spin on 429s
BUSY_WAIT = 1.0  # at most this long for the large document to reach the model


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    sentences: int = 0
    new_tokens: int = 0
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadRun:
    clients: int
    seconds: float  # how long clients kept sending
    elapsed: float  # from the first request sent to the last answered: what throughput is counted over
    requests: int  # completed
    sentences: int  # segments in those requests' responses
    new_tokens: int  # tokens the model generated for them, as the responses report
    errors: dict[str, int]  # status (or exception name) -> count
    sentences_per_second: float
    p50: float
    p95: float
    batches: BatchDelta


@dataclass(frozen=True)
class HeadOfLine:
    document_sentences: int
    waited_seconds: float  # from sending the document until the model was busy with it
    queue_depth_seen: float
    latency: float  # the one-sentence request, sent while the document was being translated
    document_seconds: float | None  # None: cancelled, it took too long
    batches: BatchDelta


async def scrape(client: httpx.AsyncClient) -> Scrape:
    response = await client.get("/metrics")
    response.raise_for_status()
    return parse_metrics(response.text)


async def translate(client: httpx.AsyncClient, text: str) -> tuple[str | None, int, int]:
    """(None, segments translated, tokens generated) on success, else (what went wrong, 0, 0)."""
    try:
        response = await client.post("/v1/translate", json={"text": text, "source_lang": "zh"})
    except httpx.HTTPError as error:
        return type(error).__name__, 0, 0
    if response.status_code != 200:
        return str(response.status_code), 0, 0
    documents = response.json()["documents"]
    return (
        None,
        sum(len(document["segments"]) for document in documents),
        sum(document["generated_tokens"] for document in documents),
    )


async def timed(client: httpx.AsyncClient, text: str) -> tuple[float, str | None]:
    """(seconds, None) for a translation answered; (seconds, what went wrong) otherwise."""
    started = time.perf_counter()
    error, _, _ = await translate(client, text)
    return time.perf_counter() - started, error


async def _timed(client: httpx.AsyncClient, text: str) -> float:
    seconds, error = await timed(client, text)
    if error is not None:
        raise RuntimeError(f"a one-sentence request failed: {error}")
    return seconds


async def idle_latency(client: httpx.AsyncClient, sentences: Sequence[str], samples: int = 3) -> list[float]:
    """One request at a time, after one to warm the server (its first batch allocates)."""
    await _timed(client, sentences[-1])
    return [await _timed(client, sentences[index % len(sentences)]) for index in range(samples)]


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: a latency some request really had."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


async def _client_loop(
    client: httpx.AsyncClient,
    sentences: Sequence[str],
    turns: itertools.count[int],
    deadline: float,
    tally: _Tally,
) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        error, segments, new_tokens = await translate(client, sentences[next(turns) % len(sentences)])
        finished = time.perf_counter()
        if error is not None:
            tally.errors[error] = tally.errors.get(error, 0) + 1
            await asyncio.sleep(ERROR_PAUSE)
        else:
            tally.latencies.append(finished - started)
            tally.requests += 1
            tally.sentences += segments
            tally.new_tokens += new_tokens


async def closed_loop(
    client: httpx.AsyncClient, sentences: Sequence[str], clients: int, seconds: float
) -> LoadRun:
    """`clients` callers, each sending one sentence and the next as soon as it is answered, for `seconds`.

    Requests sent before the end are all answered and counted, over the time until the last answer:
    batches take seconds on a CPU, and counting only answers within a fixed window would drop up to a
    whole round of them (a sixth of a 60 s run at 10 s a round).
    """
    before = await scrape(client)
    tally, turns = _Tally(), itertools.count()
    started = time.perf_counter()
    await asyncio.gather(
        *(_client_loop(client, sentences, turns, started + seconds, tally) for _ in range(clients))
    )
    elapsed = time.perf_counter() - started
    batches = batch_delta(before, await scrape(client))
    return LoadRun(
        clients=clients,
        seconds=seconds,
        elapsed=elapsed,
        requests=tally.requests,
        sentences=tally.sentences,
        new_tokens=tally.new_tokens,
        errors=tally.errors,
        sentences_per_second=tally.sentences / elapsed,
        p50=statistics.median(tally.latencies) if tally.latencies else 0.0,
        p95=percentile(tally.latencies, 0.95),
        batches=batches,
    )


async def _wait_busy(client: httpx.AsyncClient) -> float:
    """Until the queue depth gauge shows work, or BUSY_WAIT has passed; the depth seen."""
    deadline = time.perf_counter() + BUSY_WAIT
    while time.perf_counter() < deadline:
        depth = (await scrape(client)).queue_depth
        if depth > 0:
            return depth
        await asyncio.sleep(0.02)
    return 0.0


async def head_of_line(
    client: httpx.AsyncClient, sentences: Sequence[str], count: int, patience: float
) -> HeadOfLine:
    """A `count`-sentence document, then one sentence while the model works on it; the document is then
    awaited for up to `patience` seconds and cancelled after that."""
    document = "".join(sentences[index % len(sentences)] for index in range(count))
    before = await scrape(client)
    sent = time.perf_counter()
    large = asyncio.create_task(translate(client, document))
    depth = await _wait_busy(client)
    waited = time.perf_counter() - sent
    latency = await _timed(client, sentences[count % len(sentences)])
    try:
        error, _, _ = await asyncio.wait_for(asyncio.shield(large), patience)
        finished: float | None = time.perf_counter() - sent if error is None else None
    except TimeoutError:
        large.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await large
        finished = None
    return HeadOfLine(count, waited, depth, latency, finished, batch_delta(before, await scrape(client)))
