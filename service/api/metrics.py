"""Prometheus metrics, on a registry of the app's own (several apps may live in one process)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gazette_requests",
            "HTTP requests by route and status",
            ["route", "status"],
            registry=self.registry,
        )
        self.documents = Counter("gazette_documents", "Documents translated", registry=self.registry)
        self.segments = Counter("gazette_segments", "Segments translated", registry=self.registry)
        self.batch_size = Histogram(
            "gazette_batch_sentences",
            "Sentences per model batch",
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "gazette_batch_seconds",
            "Seconds per model batch",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.batch_tokens = Counter(
            "gazette_batch_padded_tokens", "Padded input tokens", registry=self.registry
        )
        # Per key (named by its digest, never the key); callers without keys count as "anonymous", so
        # that a flood of addresses cannot grow the label set.
        self.caller_requests = Counter(
            "gazette_caller_requests", "Requests per API key", ["caller"], registry=self.registry
        )
        self.caller_characters = Counter(
            "gazette_caller_characters",
            "Characters sent for translation per API key",
            ["caller"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "gazette_queue_depth", "Sentences waiting or in generation", registry=self.registry
        )

    def observe_batch(self, sentences: int, padded_tokens: int, seconds: float) -> None:
        self.batch_size.observe(sentences)
        self.batch_tokens.inc(padded_tokens)
        self.batch_seconds.observe(seconds)

    def observe_caller(self, caller: str, characters: int) -> None:
        label = caller if caller.startswith("key-") else "anonymous"
        self.caller_requests.labels(caller=label).inc()
        self.caller_characters.labels(caller=label).inc(characters)

    def track_queue(self, depth: Callable[[], int]) -> None:
        self.queue_depth.set_function(depth)

    def render(self) -> bytes:
        return generate_latest(self.registry)
