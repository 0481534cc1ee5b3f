"""Fuzz every API family of Gazette in process, as tests/test_fuzz.py does, for many more requests.

    scripts/fuzz [--requests 10000] [--seed 0] [--show 5]

The real app (TestClient over `create_app`) on the tiny models, built here in a temporary folder. Requests
come from schemathesis (the /v1 OpenAPI schema, valid and invalid) and from hypothesis strategies for the
LibreTranslate and DeepL routes and for uploads. Every answer is judged: no 500 but the documented
model_error, no stack trace, the family's own error body, and for /v1 what its schema allows. Prints the
requests sent, the statuses per family, and each kind of failure with a call that reproduces it; exits 1
if there was any.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seeded
from hypothesis import strategies as st

from service.models.tiny import build_tiny_bart, build_tiny_marian
from tests.fuzz.app import MAX_CHARS, fuzz_settings, fuzzed_app
from tests.fuzz.compat import deepl_calls, libre_calls
from tests.fuzz.harness import Call, Fuzzer
from tests.fuzz.openapi import job_uploads, v1_calls, v1_documents, v1_schema
from tests.fuzz.strategies import other_calls

CHUNK = 500  # examples per hypothesis run; each run has its own seed


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests to send (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="first hypothesis seed (default 0)")
    parser.add_argument("--show", type=int, default=5, help="failures shown per kind (default 5)")
    return parser.parse_args()


def _fuzz(fuzzer: Fuzzer, calls: st.SearchStrategy[Call], requests: int, seed: int) -> None:
    """Generate (no shrinking: every failure is kept as found) until `requests` have been sent."""
    started = time.monotonic()
    while fuzzer.sent < requests:
        examples = min(CHUNK, requests - fuzzer.sent)

        @seeded(seed)
        @settings(
            max_examples=examples,
            phases=[Phase.generate],
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(call=calls)
        def run(call: Call) -> None:
            if fuzzer.sent < requests:
                fuzzer.send(call)

        run()
        seed += 1
        elapsed = time.monotonic() - started
        print(f"  {fuzzer.sent} sent, {len(fuzzer.failures)} failures, {elapsed:.0f} s", file=sys.stderr)


def _report(fuzzer: Fuzzer, show: int) -> None:
    print(fuzzer.summary())
    kinds = Counter(failure.problems for failure in fuzzer.failures)
    for problems, count in kinds.most_common():
        print(f"\n{count} x {'; '.join(problems)}")
        for failure in [f for f in fuzzer.failures if f.problems == problems][:show]:
            print("  " + fuzzer.describe(failure).replace("\n", "\n  "))


def main() -> int:
    arguments = _arguments()
    with tempfile.TemporaryDirectory(prefix="gazette-fuzz-") as folder:
        root = Path(folder)
        print("building the tiny models ...", file=sys.stderr)
        marian, bart = build_tiny_marian(root / "marian"), build_tiny_bart(root / "bart")
        with fuzzed_app(fuzz_settings(marian, bart, root / "cache")) as client:
            schema = v1_schema(client.get("/openapi.json").json())
            calls = st.one_of(
                v1_calls(schema),
                v1_documents(schema, MAX_CHARS),
                job_uploads(),
                libre_calls(MAX_CHARS),
                deepl_calls(MAX_CHARS),
                other_calls(),
            )
            fuzzer = Fuzzer(client)
            started = time.monotonic()
            _fuzz(fuzzer, calls, arguments.requests, arguments.seed)
            seconds = time.monotonic() - started
    _report(fuzzer, arguments.show)
    print(f"wall time: {seconds:.0f} s ({fuzzer.sent / seconds:.1f} requests a second)")
    return 1 if fuzzer.failures else 0


if __name__ == "__main__":
    sys.exit(main())
