"""`gazette bench --line-behind-document`: issue 23's scenario, on a fresh server.

One-sentence requests one at a time (a first to warm the server, then three whose median is the idle
latency: the only rate the server then knows is a single sentence's), then a long document, then,
`delay` seconds later, one sentence. The sentence is
held to two bounds: within 2 x (one batch + idle), and within a fifth of the document's own time. It
once got 429 in 16 ms (all the document counted as waiting ahead of it, at the one-sentence rate), or was
answered after the document (the document judged at risk on that rate and kept first to its end).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.bench.ceiling import Ceiling
from service.bench.load import idle_latency, scrape, timed
from service.bench.scrape import BatchDelta, batch_delta
from service.bench.server import free_port, running_server
from service.settings import Settings

SHARE_OF_DOCUMENT = 0.2


@dataclass(frozen=True)
class LineBehindDocument:
    max_queue: int
    idle: float  # a one-sentence request alone (the median of three, after one to warm the server)
    document_sentences: int
    delay: float  # between sending the document and the sentence
    line_seconds: float
    line_error: str | None  # None: answered 200; else its status (429, ...)
    document_seconds: float | None  # None: it failed
    batch_seconds: float  # one full batch, timed in process (the ceiling)
    batches: BatchDelta  # what ran while both were served

    @property
    def bound(self) -> float:
        return 2 * (self.batch_seconds + self.idle)

    def targets(self) -> dict[str, bool]:
        answered = self.line_error is None
        fifth = (
            self.document_seconds is not None
            and self.line_seconds <= SHARE_OF_DOCUMENT * self.document_seconds
        )
        return {
            "the sentence answered 200": answered,
            "within 2 x (batch + idle)": answered and self.line_seconds <= self.bound,
            "within 20% of the document's time": answered and fifth,
        }


async def line_behind_document(
    settings: Settings, sentences: Sequence[str], ceiling: Ceiling, count: int, delay: float
) -> LineBehindDocument:
    document = "".join(sentences[index % len(sentences)] for index in range(count))
    with (
        tempfile.TemporaryDirectory(prefix="gazette-bench-") as scratch,
        running_server(settings, free_port(), Path(scratch)) as server,
    ):
        await asyncio.to_thread(server.wait_ready)
        timeout = httpx.Timeout(settings.request_timeout + 30)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=timeout) as client:
            idle = sorted(await idle_latency(client, sentences))[1]
            before = await scrape(client)
            whole = asyncio.create_task(timed(client, document))
            await asyncio.sleep(delay)
            line_seconds, line_error = await timed(client, sentences[count % len(sentences)])
            document_seconds, document_error = await whole
            batches = batch_delta(before, await scrape(client))
        await asyncio.to_thread(server.stop)
    return LineBehindDocument(
        max_queue=settings.max_queue,
        idle=idle,
        document_sentences=count,
        delay=delay,
        line_seconds=line_seconds,
        line_error=line_error,
        document_seconds=document_seconds if document_error is None else None,
        batch_seconds=ceiling.batch_seconds,
        batches=batches,
    )


def render_scenario(result: LineBehindDocument) -> str:
    document = "failed" if result.document_seconds is None else f"{result.document_seconds:.2f} s"
    line = f"{result.line_seconds:.2f} s" + ("" if result.line_error is None else f" ({result.line_error})")
    rows = [
        ("max queue", str(result.max_queue)),
        ("idle (one sentence alone)", f"{result.idle:.2f} s"),
        (f"document, {result.document_sentences} sentences", document),
        (f"one sentence, sent {result.delay:g} s after it", line),
        ("bound 2 x (batch + idle)", f"{result.bound:.2f} s (batch {result.batch_seconds:.2f} s)"),
        (
            "20% of the document",
            "-" if result.document_seconds is None else f"{0.2 * result.document_seconds:.2f} s",
        ),
        ("batches", f"{result.batches.batches}, mean {result.batches.mean_size:.1f} sentences"),
        *((name, "met" if met else "MISSED") for name, met in result.targets().items()),
    ]
    width = max(len(name) for name, _ in rows)
    return (
        "\n".join(["One sentence behind a document", *(f"  {n.ljust(width)}  {v}" for n, v in rows)]) + "\n"
    )
