"""Property-based fuzzing of every API family, bounded for CI (`scripts/fuzz` runs the same for 10,000
requests): whatever arrives, no 500, no stack trace, the family's own error body, and for /v1 an answer
that its OpenAPI schema allows.

Seeds are fixed (`derandomize`), so a run finds what the last one found; a failure prints the request that
caused it as a TestClient call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.app import MAX_CHARS, fuzz_settings, fuzzed_app
from tests.fuzz.compat import deepl_calls, libre_calls
from tests.fuzz.families import error_shape_problem, family_of, response_problems
from tests.fuzz.harness import Call, Fuzzer
from tests.fuzz.openapi import job_uploads, v1_calls, v1_documents, v1_schema
from tests.fuzz.strategies import other_calls


def bounded(examples: int) -> Any:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture(scope="module")
def client(
    tiny_marian_dir: Path, tiny_bart_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    with fuzzed_app(fuzz_settings(tiny_marian_dir, tiny_bart_dir, tmp_path_factory.mktemp("cache"))) as ready:
        yield ready


@pytest.fixture(scope="module")
def fuzzer(client: TestClient) -> Iterator[Fuzzer]:
    fuzzer = Fuzzer(client)
    yield fuzzer
    print("\n" + fuzzer.summary())


@pytest.fixture(scope="module")
def schema(client: TestClient) -> Any:
    return v1_schema(client.get("/openapi.json").json())


def check(fuzzer: Fuzzer, call: Call) -> None:
    problems = fuzzer.send(call)
    assert not problems, fuzzer.describe(fuzzer.failures[-1])


def test_v1_answers_as_its_openapi_schema_says(fuzzer: Fuzzer, schema: Any) -> None:
    calls = v1_calls(schema)

    @bounded(120)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        check(fuzzer, data.draw(calls))

    run()


def test_v1_translations_and_summaries_of_news_like_text(fuzzer: Fuzzer, schema: Any) -> None:
    calls = v1_documents(schema, MAX_CHARS)

    @bounded(40)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        check(fuzzer, data.draw(calls))

    run()


def test_v1_job_uploads_of_any_name_and_bytes(fuzzer: Fuzzer) -> None:
    @bounded(40)
    @given(call=job_uploads())
    def run(call: Call) -> None:
        check(fuzzer, call)

    run()


def test_libretranslate_routes(fuzzer: Fuzzer) -> None:
    @bounded(100)
    @given(call=libre_calls(MAX_CHARS))
    def run(call: Call) -> None:
        check(fuzzer, call)

    run()


def test_deepl_routes(fuzzer: Fuzzer) -> None:
    @bounded(100)
    @given(call=deepl_calls(MAX_CHARS))
    def run(call: Call) -> None:
        check(fuzzer, call)

    run()


def test_probes_the_form_and_paths_nobody_serves(fuzzer: Fuzzer) -> None:
    @bounded(40)
    @given(call=other_calls())
    def run(call: Call) -> None:
        check(fuzzer, call)

    run()


# The judge itself: each protection the fuzzing checks for is seen missing.


def test_paths_belong_to_their_family() -> None:
    assert family_of("/v1/jobs/x") == "v1"
    assert family_of("/v2/glossaries") == "deepl"
    assert family_of("/translate") == family_of("/download_file/a-b.txt") == "libre"
    assert family_of("/readyz") == family_of("/nowhere") == "other"


def test_a_500_a_stack_trace_and_a_wrong_body_are_each_caught() -> None:
    libre = json.dumps({"error": "Invalid request: missing q parameter"}).encode()
    v1 = json.dumps({"error": {"code": "invalid_request", "message": "text: missing"}}).encode()
    deepl = json.dumps({"message": "Parameter 'text' not specified."}).encode()
    assert response_problems("/translate", 400, libre) == []
    assert response_problems("/v1/translate", 422, v1) == []
    assert response_problems("/v2/translate", 400, deepl) == []
    assert response_problems("/translate", 500, libre) == ["server error 500"]
    # No 5xx passes for its status alone: a crashed scheduler answers these, documented as they are.
    for path, status, body in (
        ("/v1/translate", 500, {"error": {"code": "model_error", "message": "weights"}}),
        ("/v1/translate", 503, {"error": {"code": "not_ready", "message": "the service is shutting down"}}),
        ("/v1/jobs", 503, {"error": {"code": "storage_unavailable", "message": "disk full"}}),
        ("/v1/summarize", 504, {"error": {"code": "timeout", "message": "did not finish"}}),
        ("/translate", 503, {"error": "the models are not ready"}),
        ("/v2/translate", 504, {"message": "Timeout: the translation did not finish"}),
        ("/v2/document/abc", 503, {"message": "Document not ready"}),  # a status call has no such cause
    ):
        assert response_problems(path, status, json.dumps(body).encode()) == [f"server error {status}"]
    not_ready = json.dumps({"message": "Document not ready"}).encode()
    assert response_problems("/v2/document/abc/result", 503, not_ready) == []  # documented: 503 until then
    trace = b'Traceback (most recent call last):\n  File "x.py", line 1'
    assert "a stack trace in the body" in response_problems("/v1/models", 200, trace)
    assert response_problems("/v1/translate", 200, b'echo: File "x"', sent=b'File "x"') == []
    assert error_shape_problem("libre", v1) is not None
    assert error_shape_problem("deepl", libre) is not None
    assert error_shape_problem("v1", deepl) is not None
    assert error_shape_problem("v1", b"Internal Server Error") is not None
