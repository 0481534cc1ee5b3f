"""The bench's figures, the targets they are held to, and the table printed from them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from service.bench.ceiling import Ceiling, ModelFacts
from service.bench.load import HeadOfLine, LoadRun
from service.bench.scrape import BatchDelta
from service.bench.server import Shutdown

THROUGHPUT_TARGET = 0.90  # of the ceiling


@dataclass(frozen=True)
class Setup:
    model: ModelFacts
    num_beams: int
    max_batch_size: int
    max_batch_tokens: int
    batch_linger: float
    cpu_count: int
    sentences: str  # where they came from
    token_range: tuple[int, int]  # shortest and longest sentence sent, in the model's tokens
    pool_size: int


@dataclass(frozen=True)
class BenchReport:
    setup: Setup
    ceiling: Ceiling
    server_ready_seconds: float
    idle_latencies: list[float]
    load: LoadRun
    head_of_line: HeadOfLine
    shutdown: Shutdown

    @property
    def idle_latency(self) -> float:
        return sorted(self.idle_latencies)[len(self.idle_latencies) // 2]

    @property
    def share_of_ceiling(self) -> float:
        return self.load.sentences_per_second / self.ceiling.sentences_per_second

    @property
    def head_of_line_bound(self) -> float:
        return 2 * (self.ceiling.batch_seconds + self.idle_latency)

    def targets(self) -> dict[str, bool]:
        return {
            "throughput >= 90% of ceiling": self.share_of_ceiling >= THROUGHPUT_TARGET,
            "p95 <= 2 x one batch's time": self.load.p95 <= 2 * self.ceiling.batch_seconds,
            "head-of-line <= 2 x (batch + idle)": self.head_of_line.latency <= self.head_of_line_bound,
        }

    def to_json(self) -> dict[str, Any]:
        figures = asdict(self)
        figures["derived"] = {
            "idle_latency": self.idle_latency,
            "share_of_ceiling": self.share_of_ceiling,
            "head_of_line_bound": self.head_of_line_bound,
            "targets": self.targets(),
        }
        return figures


def write_json(report: BenchReport, path: Path) -> None:
    path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _table(title: str, rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(name) for name, _ in rows)
    return ["", title, *(f"  {name.ljust(width)}  {value}" for name, value in rows)]


def _histogram(delta: BatchDelta) -> str:
    bins = "  ".join(f"{size}:{count}" for size, count in delta.histogram.items() if count)
    return f"{bins or 'none'}  ({delta.batches} batches, mean {delta.mean_size:.1f} sentences, {delta.mean_seconds:.2f} s)"


def _setup_lines(setup: Setup) -> list[str]:
    model = setup.model
    noise = ", random weights" if model.random_weights else ""
    return [
        f"gazette bench: {model.model} ({model.engine}{noise})",
        f"  settings: num_beams {setup.num_beams}, max_batch_size {setup.max_batch_size}, "
        f"max_batch_tokens {setup.max_batch_tokens}, batch_linger {setup.batch_linger} s; {setup.cpu_count} CPUs",
        f"  sentences: {setup.sentences}; sent {setup.token_range[0]}-{setup.token_range[1]} tokens",
    ]


def _ceiling_lines(ceiling: Ceiling) -> list[str]:
    return _table(
        f"Engine ceiling (in process, one generate call on a batch of {ceiling.batch})",
        [
            (
                "one batch's time",
                f"{ceiling.batch_seconds:.3f} s  (mean of {len(ceiling.batch_seconds_each)} batches: "
                + ", ".join(f"{t:.3f}" for t in ceiling.batch_seconds_each)
                + f"; warming call {ceiling.warm_seconds:.3f} s)",
            ),
            ("ceiling", f"{ceiling.sentences_per_second:.2f} sentences/s"),
            ("generated tokens", f"{ceiling.new_tokens_per_sentence:.1f} per sentence"),
        ],
    )


def _load_lines(report: BenchReport) -> list[str]:
    load, batch = report.load, report.ceiling.batch_seconds
    errors = ", ".join(f"{code}: {count}" for code, count in load.errors.items()) or "none"
    share = 100 * report.share_of_ceiling
    return _table(
        f"HTTP ({load.clients} clients, closed loop, sending for {load.seconds:g} s; "
        f"server ready after {report.server_ready_seconds:.1f} s)",
        [
            ("idle latency", f"{report.idle_latency:.3f} s  (median of {len(report.idle_latencies)})"),
            (
                "completed",
                f"{load.requests} requests, {load.sentences} sentences in {load.elapsed:.1f} s; errors: {errors}",
            ),
            ("throughput", f"{load.sentences_per_second:.2f} sentences/s = {share:.1f}% of ceiling"),
            ("latency p50 / p95", f"{load.p50:.3f} s / {load.p95:.3f} s  (2 x batch = {2 * batch:.3f} s)"),
            ("batch sizes", _histogram(load.batches)),
        ],
    )


def _head_of_line_lines(report: BenchReport) -> list[str]:
    hol, batch, idle = report.head_of_line, report.ceiling.batch_seconds, report.idle_latency
    document = "cancelled" if hol.document_seconds is None else f"{hol.document_seconds:.3f} s"
    return _table(
        f"Head of line (one sentence sent behind a {hol.document_sentences}-sentence document)",
        [
            ("one sentence", f"{hol.latency:.3f} s  (idle: {idle:.3f} s)"),
            ("bound", f"{report.head_of_line_bound:.3f} s = 2 x (batch {batch:.3f} + idle {idle:.3f})"),
            ("model busy after", f"{hol.waited_seconds:.3f} s (queue depth {hol.queue_depth_seen:g})"),
            ("large document", document),
            ("batch sizes", _histogram(hol.batches)),
        ],
    )


def render(report: BenchReport) -> str:
    stop = report.shutdown
    how = "killed after timeout" if stop.killed else f"exit code {stop.exit_code}"
    how += ", graceful" if stop.graceful else ", no graceful shutdown in its log"
    lines = [
        *_setup_lines(report.setup),
        *_ceiling_lines(report.ceiling),
        *_load_lines(report),
        *_head_of_line_lines(report),
        *_table("Shutdown", [("SIGTERM to exit", f"{stop.seconds:.3f} s ({how})")]),
        *_table("Targets", [(name, "met" if met else "MISSED") for name, met in report.targets().items()]),
    ]
    return "\n".join(lines) + "\n"
