"""Load: `gazette serve` on the tiny profile, loopback only, under C concurrent clients for S seconds.

Each client loops: mostly one-line translations, some seed-sized documents, some job submissions. Every
answer must be 200/202, or 429/503 with Retry-After; none may take past the request timeout, and the p95 of
interactive requests must be within it; the server's RSS at the end must be within 10 % of its RSS after the
first minute. Prints the figures; exit 1 on a breach.

With `--replicas N` it starts N servers on one PostgreSQL database (`--db URL`, or a throwaway server made
as the tests make theirs, tests/postgres.py) and the clients take turns between them, as behind a load
balancer; `--postgres` puts a single server on PostgreSQL too, for a like-for-like comparison. At the end
it waits for the jobs it submitted and checks that the characters counted in the shared usage
(`/v1/usage`, asked of each server) are exactly those served.

    .venv/bin/python scripts/load.py [--clients 64] [--seconds 600] [--replicas 2] [--db URL | --postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LINE = "国务院召开常务会议，研究部署进一步稳定经济运行。"
TIMEOUT = 60.0  # GAZETTE_REQUEST_TIMEOUT given to the server
SLACK = 5.0  # answering takes a moment past the deadline (the 504 itself)


@dataclass
class Tally:
    served_chars: int = 0  # of interactive translations answered 200
    jobs: list[str] = field(default_factory=list)  # accepted (202)
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    breaches: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def seed_sized() -> str:
    """About 4,400 characters in 14 paragraphs, as the seed document."""
    paragraph = (LINE * 3 + "厦门市同安区召开质量强区大会，区长周桂良出席会议并讲话。") * 3
    return "\n".join(paragraph for _ in range(14))[:4400]


async def one(client: httpx.AsyncClient, kind: str, tally: Tally) -> None:
    started = time.perf_counter()
    text = LINE if kind == "line" else seed_sized()
    if kind in ("line", "document"):
        answer = await client.post("/v1/translate", json={"text": text, "source_lang": "zh"})
        tally.served_chars += len(text) if answer.status_code == 200 else 0
    else:
        items = [{"id": f"i{k}", "text": LINE} for k in range(3)]
        answer = await client.post("/v1/jobs", json={"task": "translate", "items": items})
        if answer.status_code == 202:
            tally.jobs.append(answer.json()["id"])
    seconds = time.perf_counter() - started
    tally.statuses[f"{kind} {answer.status_code}"] += 1
    tally.latencies.setdefault(kind, []).append(seconds)
    if answer.status_code in (429, 503) and "retry-after" not in answer.headers:
        tally.breaches.append(f"{kind}: {answer.status_code} without Retry-After")
    elif answer.status_code not in (200, 202, 429, 503):
        at = time.monotonic() - tally.started
        tally.breaches.append(f"{kind}: {answer.status_code} at {at:.0f} s into the run: {answer.text[:120]}")
    if seconds > TIMEOUT + SLACK:
        tally.breaches.append(f"{kind}: answered after {seconds:.1f} s")
    if answer.status_code in (429, 503):
        await asyncio.sleep(min(float(answer.headers.get("retry-after", "1")), 5.0))


async def client_loop(base: str, until: float, tally: Tally, rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT * 2) as client:
        while time.monotonic() < until:
            kind = rng.choices(["line", "document", "job"], weights=[80, 12, 8])[0]
            try:
                await one(client, kind, tally)
            except httpx.HTTPError as error:
                tally.breaches.append(f"{kind}: {type(error).__name__}")


async def rss_probe(pids: list[int], samples: list[tuple[float, int]], until: float) -> None:
    start = time.monotonic()
    while time.monotonic() < until:
        samples.append((time.monotonic() - start, sum(rss_kib(pid) for pid in pids)))
        await asyncio.sleep(5)


async def run(
    bases: list[str], pids: list[int], clients: int, seconds: float
) -> tuple[Tally, list[tuple[float, int]]]:
    tally, samples = Tally(), []
    until = time.monotonic() + seconds
    rngs = [random.Random(number) for number in range(clients)]
    await asyncio.gather(
        rss_probe(pids, samples, until),
        *(client_loop(bases[n % len(bases)], until, tally, rng) for n, rng in enumerate(rngs)),
    )
    return tally, samples


async def check_usage(bases: list[str], tally: Tally) -> None:
    """Once every job submitted has ended: each server counts, in the shared usage, exactly what was served."""
    async with httpx.AsyncClient(timeout=30) as client:
        job_chars = 0
        for job_id in tally.jobs:
            for _ in range(600):
                job = (await client.get(f"{bases[0]}/v1/jobs/{job_id}")).json()
                if job["state"] not in ("queued", "running"):
                    break
                await asyncio.sleep(0.5)
            job_chars += job["items"]["done"] * len(LINE)
        await asyncio.sleep(2)  # the last ended jobs' characters are settled by the runner that ended them
        expected = tally.served_chars + job_chars
        for base in bases:
            counted = (await client.get(f"{base}/v1/usage")).json()["characters_used"]
            print(f"  usage on {base}: {counted} characters counted, {expected} served")
            if counted != expected:
                tally.breaches.append(f"usage on {base}: {counted} counted, {expected} served")


def start_server(cache: Path, db: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "GAZETTE_PROFILE": "tiny",
        "GAZETTE_MODEL_CACHE": str(cache),
        "GAZETTE_REQUEST_TIMEOUT": str(TIMEOUT),
        "GAZETTE_NUM_BEAMS": "1",
        "GAZETTE_LOG_LEVEL": "warning",
        **({"GAZETTE_DB": db} if db else {}),
    }
    command = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not become ready")


def report(tally: Tally, samples: list[tuple[float, int]], clients: int, seconds: float) -> int:
    print(f"clients {clients}, {seconds:.0f} s, requests {sum(tally.statuses.values())}")
    ok = sum(count for key, count in tally.statuses.items() if key.startswith(("line 200", "document 200")))
    print(f"  translations answered 200: {ok / seconds:.1f} a second")
    for key, count in sorted(tally.statuses.items()):
        print(f"  {key}: {count}")
    for kind, values in sorted(tally.latencies.items()):
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(f"  {kind}: p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s")
        if kind != "job" and p95 > TIMEOUT:  # the scheduler's bound: it admits only what fits the timeout
            tally.breaches.append(f"{kind}: p95 {p95:.1f} s, over the {TIMEOUT:g} s timeout")
    after_minute = next((rss for at, rss in samples if at >= 60), samples[0][1])
    end = samples[-1][1]
    growth = (end - after_minute) / after_minute
    print(
        f"  RSS after the first minute {after_minute / 1024:.0f} MiB, at the end {end / 1024:.0f} MiB "
        f"({growth:+.1%})"
    )
    if growth > 0.10:
        tally.breaches.append(f"RSS grew {growth:.1%}")
    print(f"breaches: {len(tally.breaches)}")
    for breach in tally.breaches[:20]:
        print(f"  {breach}")
    return 1 if tally.breaches else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--replicas", type=int, default=1, help="servers on one PostgreSQL database")
    parser.add_argument("--db", help="their database's postgresql:// URL (default: a throwaway server)")
    parser.add_argument("--postgres", action="store_true", help="one server on PostgreSQL too")
    args = parser.parse_args()
    postgres = None
    if args.db is None and (args.replicas > 1 or args.postgres):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.postgres import start_postgres

        postgres = start_postgres()
        if isinstance(postgres, str):
            raise SystemExit(postgres)
        args.db = postgres.new_database()
    servers: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as cache:
            bases = []
            for number in range(args.replicas):
                server, base = start_server(Path(cache) / str(number), args.db)
                servers.append(server)
                bases.append(base)
            print(f"{args.replicas} server(s) on {args.db or 'SQLite'}: {' '.join(bases)}")
            tally, samples = asyncio.run(run(bases, [s.pid for s in servers], args.clients, args.seconds))
            asyncio.run(check_usage(bases, tally))
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
        if postgres is not None:
            postgres.stop()
    return report(tally, samples, args.clients, args.seconds)


if __name__ == "__main__":
    raise SystemExit(main())
