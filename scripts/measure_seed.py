"""Issue 25's timing checks over HTTP, each against a fresh `gazette serve` (its own temporary GAZETTE_DB):

1. the document streamed: when the first `segment` event came, when `p1.s1` came, how many segment events,
   and whether the `result` event holds the same segments;
2. the same document sent again, plain: its time, identical, every segment `"memory": true`;
3. with --plain: a plain cold request on another fresh server (to compare the whole document's time);
4. with --summarize: POST /v1/summarize with include_translation and 5 bullets on another fresh server.

Usage: python scripts/measure_seed.py [FILE] [--plain] [--summarize]   (FILE: the seed under ../shared/eval)
The server runs the default profile from the environment (GAZETTE_PROFILE=qwen-pypi for the figures in
docs/streaming.md). Run it on a quiet machine: its numbers are times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

SEED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "seed" / "seed.zh-Hant-noisy.txt"
PORT = 8131


def serve(folder: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, GAZETTE_DB=str(folder / "gazette.sqlite3"), GAZETTE_PORT=str(PORT))
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "service", "serve"], env=env, stdout=log, stderr=log)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit("the server did not become ready")


def document_of(body: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = body["documents"][0] if "documents" in body else body
    return document


def streamed(client: httpx.Client, text: str) -> dict[str, Any]:
    started = time.monotonic()
    seen: dict[str, float] = {}
    segments: list[dict[str, Any]] = []
    result: dict[str, Any] = {}
    with client.stream("POST", "/v1/translate", json={"text": text, "stream": True}, timeout=900) as response:
        event = None
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event:
                data = json.loads(line.split(":", 1)[1])
                if event == "segment":
                    seen.setdefault(data["id"], round(time.monotonic() - started, 1))
                    segments.append(data)
                elif event == "result":
                    result = data
                elif event == "error":
                    raise SystemExit(f"error event: {data}")
    document = document_of(result)
    told = {segment["id"]: segment["translation"] for segment in segments}
    return {
        "first_segment_s": min(seen.values(), default=None),
        "p1.s1_s": seen.get("p1.s1"),
        "segment_events": len(segments),
        "result_equals_events": told == {s["id"]: s["translation"] for s in document["segments"]},
        "total_s": round(time.monotonic() - started, 1),
        "tokens": [document.get(k) for k in ("prompt_tokens", "cached_prompt_tokens", "generated_tokens")],
        "document": document,
    }


def timed_post(client: httpx.Client, path: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    answer = client.post(path, json=body, timeout=900)
    answer.raise_for_status()
    return round(time.monotonic() - started, 2), document_of(answer.json())


def on_fresh_server(work: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        process = serve(Path(folder))
        try:
            work(httpx.Client(base_url=f"http://127.0.0.1:{PORT}"))
        finally:
            process.terminate()
            process.wait()


def stream_then_resend(client: httpx.Client, text: str) -> None:
    run = streamed(client, text)
    first = run.pop("document")
    print("streamed:", json.dumps(run), flush=True)
    seconds, again = timed_post(client, "/v1/translate", {"text": text})
    same = [s["translation"] for s in again["segments"]] == [s["translation"] for s in first["segments"]]
    memory = all(s.get("memory") for s in again["segments"])
    print(f"sent again: {seconds} s, identical: {same}, all from memory: {memory}", flush=True)


def plain(client: httpx.Client, text: str) -> None:
    seconds, document = timed_post(client, "/v1/translate", {"text": text})
    tokens = [document.get(k) for k in ("prompt_tokens", "cached_prompt_tokens", "generated_tokens")]
    print(f"plain, cold: {seconds} s, tokens {tokens}", flush=True)


def summarize(client: httpx.Client, text: str) -> None:
    body = {"text": text, "include_translation": True, "bullets": 5}
    seconds, document = timed_post(client, "/v1/summarize", body)
    tokens = [document.get(k) for k in ("prompt_tokens", "cached_prompt_tokens", "generated_tokens")]
    print(f"summarize, cold: {seconds} s, tokens {tokens}, regenerated {document['regenerated']},"
          f" replaced {document['replaced']}", flush=True)  # fmt: skip


def main() -> None:
    files = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    text = Path(files[0] if files else SEED).read_text(encoding="utf-8")
    on_fresh_server(lambda client: stream_then_resend(client, text))
    if "--plain" in sys.argv:
        on_fresh_server(lambda client: plain(client, text))
    if "--summarize" in sys.argv:
        on_fresh_server(lambda client: summarize(client, text))


if __name__ == "__main__":
    main()
