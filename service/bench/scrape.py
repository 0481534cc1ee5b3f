"""What the bench reads from the server's /metrics: batch sizes and times, and the queue depth."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

BATCH_SENTENCES = "gazette_batch_sentences"
BATCH_SECONDS = "gazette_batch_seconds"
QUEUE_DEPTH = "gazette_queue_depth"


@dataclass(frozen=True)
class Scrape:
    buckets: dict[float, float] = field(default_factory=dict)  # batch sizes: upper bound -> cumulative count
    batches: float = 0.0
    sentences: float = 0.0  # the histogram's sum: sentences in all batches
    batch_seconds: float = 0.0  # the time histogram's sum
    queue_depth: float = 0.0


def parse_metrics(text: str) -> Scrape:
    buckets: dict[float, float] = {}
    sums: dict[str, float] = {}
    depth = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{BATCH_SENTENCES}_bucket":
                buckets[float(sample.labels["le"])] = sample.value
            elif sample.name in (
                f"{BATCH_SENTENCES}_count",
                f"{BATCH_SENTENCES}_sum",
                f"{BATCH_SECONDS}_sum",
            ):
                sums[sample.name] = sample.value
            elif sample.name == QUEUE_DEPTH:
                depth = sample.value
    return Scrape(
        buckets=buckets,
        batches=sums.get(f"{BATCH_SENTENCES}_count", 0.0),
        sentences=sums.get(f"{BATCH_SENTENCES}_sum", 0.0),
        batch_seconds=sums.get(f"{BATCH_SECONDS}_sum", 0.0),
        queue_depth=depth,
    )


def _label(lower: float, upper: float) -> str:
    first, last = math.floor(lower) + 1, upper
    if math.isinf(last):
        return f"{first}+"
    return f"{int(last)}" if first == last else f"{first}-{int(last)}"


@dataclass(frozen=True)
class BatchDelta:
    """The batches run between two scrapes."""

    histogram: dict[str, int]  # sentences per batch ("3-4", "9-16", "65+") -> batches
    batches: int
    sentences: int
    mean_size: float
    mean_seconds: float


def batch_delta(before: Scrape, after: Scrape) -> BatchDelta:
    """Per-bucket counts from the cumulative buckets' differences (Prometheus buckets count `<= le`)."""
    histogram: dict[str, int] = {}
    lower, below = 0.0, 0.0
    for upper in sorted(after.buckets):
        cumulative = after.buckets[upper] - before.buckets.get(upper, 0.0)
        histogram[_label(lower, upper)] = round(cumulative - below)
        lower, below = upper, cumulative
    batches = round(after.batches - before.batches)
    sentences = round(after.sentences - before.sentences)
    seconds = after.batch_seconds - before.batch_seconds
    return BatchDelta(
        histogram=histogram,
        batches=batches,
        sentences=sentences,
        mean_size=sentences / batches if batches else 0.0,
        mean_seconds=seconds / batches if batches else 0.0,
    )
