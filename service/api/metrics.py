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
        # Per tenant (a key's name or digest, never the key; callers without keys are all "anonymous"):
        # tenants are made only by an operator, so the label set stays small.
        self.caller_requests = Counter(
            "gazette_caller_requests", "Requests per tenant", ["caller"], registry=self.registry
        )
        self.caller_characters = Counter(
            "gazette_caller_characters",
            "Characters sent for translation per tenant",
            ["caller"],
            registry=self.registry,
        )
        self.tenant_characters = Gauge(
            "gazette_tenant_characters_charged",
            "Characters translated and charged per tenant, over every API family (durable: GAZETTE_DB)",
            ["tenant"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "gazette_queue_depth", "Sentences waiting or in generation", registry=self.registry
        )

    def observe_batch(self, sentences: int, padded_tokens: int, seconds: float) -> None:
        self.batch_size.observe(sentences)
        self.batch_tokens.inc(padded_tokens)
        self.batch_seconds.observe(seconds)

    def observe_caller(self, tenant: str, characters: int) -> None:
        self.caller_requests.labels(caller=tenant).inc()
        self.caller_characters.labels(caller=tenant).inc(characters)

    def track_queue(self, depth: Callable[[], int]) -> None:
        self.queue_depth.set_function(depth)

    def render(self) -> bytes:
        return generate_latest(self.registry)
