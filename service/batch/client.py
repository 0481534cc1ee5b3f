"""The batch through a running server's jobs API (`POST /v1/jobs`, poll, page the results).

Items always go as JSON `items` built here by `read_items`, never as uploaded files: the ids are then the
same as in process (a folder's relative names), already-done ids are simply left out, and the translated
files are rebuilt here from each record's segments by the same code as the in-process path.

A submission carries an `Idempotency-Key` made from its content, so running the same command again after
Ctrl-C or a crash picks up the job the server kept working on instead of starting it over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from service.jobs.records import ItemInput, error_record
from service.jobs.work import JobOptions

log = logging.getLogger(__name__)

TERMINAL = ("done", "failed", "cancelled")
MAX_BODY = 4_000_000  # bytes per submission: half the server's default GAZETTE_MAX_BODY_BYTES
BUSY = (429, 503)  # overloaded, or still loading its models: wait and ask again
RETRIES = 30
POLL_SECONDS = 1.0  # between looks at a running job

Emit = Callable[[dict[str, Any]], object]
Progress = Callable[[int], None]  # items of this run the server has finished so far


class ServerError(RuntimeError):
    """The server refused or failed the batch; the message is for a person."""

    def __init__(self, message: str, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason  # the server's own words


def connect(url: str, timeout: float = 60.0) -> httpx.Client:
    """A client for `url`, with `GAZETTE_API_KEY` as a bearer token when it is set."""
    key = os.environ.get("GAZETTE_API_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=url, headers=headers, timeout=timeout)


def _checked(response: httpx.Response) -> httpx.Response:
    if response.is_success:
        return response
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = response.text[:200]
    request = response.request
    status = response.status_code
    raise ServerError(f"{request.method} {request.url.path}: {status} {message}", status, message)


def _send(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request, asked again while the server is busy or briefly unreachable (a POST too: its
    Idempotency-Key makes a repeated submission the same job)."""
    for attempt in range(RETRIES):
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError:
            if attempt == RETRIES - 1:
                raise
            time.sleep(2.0)
            continue
        if response.status_code not in BUSY or attempt == RETRIES - 1:
            return _checked(response)
        time.sleep(_retry_after(response))
    raise AssertionError("unreachable")


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After") or 2), 0.5), 30.0)
    except ValueError:  # an HTTP date: not worth parsing for a wait this short
        return 2.0


def _chunks(items: Sequence[ItemInput], limit: int) -> Iterator[list[ItemInput]]:
    """Consecutive items whose texts stay under `limit` bytes: one job, unless the batch is very large."""
    chunk: list[ItemInput] = []
    size = 0
    for item in items:
        weight = len(item.text.encode("utf-8")) + len(item.id) + 32
        if chunk and size + weight > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += weight
    if chunk:
        yield chunk


def submit(client: httpx.Client, items: Sequence[ItemInput], options: JobOptions) -> dict[str, Any]:
    body = {
        "task": options.task,
        # The server refuses an empty text outright (the whole job); a lone space is read by the engine
        # exactly as the empty text is in process, so that item gets the same error record.
        "items": [{"id": item.id, "text": item.text or " "} for item in items],
        "source_lang": options.source_lang,
        "glossary": dict(options.glossary),
        "bullets": options.bullets,
    }
    # UTF-8 as is: escaped, Chinese text would take twice the bytes of the server's body limit.
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    key = hashlib.sha256(content).hexdigest()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    job: dict[str, Any] = _send(client, "POST", "/v1/jobs", content=content, headers=headers).json()
    if job["state"] in ("failed", "cancelled"):
        # The key found an earlier run's job that was stopped: this run needs one that will do the work.
        headers["Idempotency-Key"] = uuid.uuid4().hex
        job = _send(client, "POST", "/v1/jobs", content=content, headers=headers).json()
    return job


def wait(client: httpx.Client, job_id: str, progress: Progress, poll_seconds: float) -> dict[str, Any]:
    """Poll the job until it ends, telling `progress` how many of its items are finished."""
    while True:
        job: dict[str, Any] = _send(client, "GET", f"/v1/jobs/{job_id}").json()
        counts = job.get("items") or {}
        progress(int(counts.get("done", 0)) + int(counts.get("failed", 0)))
        if job["state"] in TERMINAL:
            return job
        time.sleep(poll_seconds)


def results(client: httpx.Client, job_id: str) -> Iterator[dict[str, Any]]:
    """Every record of the job, page by page (`?after=` the last id of the page before)."""
    seen: set[str] = set()
    after: str | None = None
    while True:
        params = {"after": after} if after is not None else {}
        response = _send(client, "GET", f"/v1/jobs/{job_id}/results", params=params)
        page = [json.loads(line) for line in response.text.splitlines() if line.strip()]
        fresh = [record for record in page if record["id"] not in seen]
        if not fresh:  # the end (or a server that ignores `after`: nothing new either way)
            return
        for record in fresh:
            seen.add(record["id"])
            yield record
        after = page[-1]["id"]


# The fields of a record, in their order, as `service.jobs.records` makes them in process.
FIELDS = tuple(error_record(ItemInput("", ""), "").keys())


def _as_record(line: dict[str, Any], file: str | None) -> dict[str, Any]:
    """A result line as the record the in process path writes: its fields only (a server may add its
    own, such as when the item finished), and the file the item came from, which the server, sent only
    ids and texts, cannot know."""
    return {name: file if name == "file" else line.get(name) for name in FIELDS}


def _after(progress: Progress, before: int) -> Progress:
    """`progress` for a later job: counting on from the items of the jobs before it."""
    return lambda finished: progress(before + finished)


def _jobs(
    client: httpx.Client, items: Sequence[ItemInput], options: JobOptions, refused: Emit
) -> Iterator[tuple[list[ItemInput], dict[str, Any]]]:
    """A submitted job for each run of items, in order, one at a time. A submission the server finds too
    large (413: its item, character or body limits) is halved; an item it refuses on its own gets an
    error record with the server's reason, and the batch goes on."""
    waiting = deque(_chunks(items, MAX_BODY))
    while waiting:
        chunk = waiting.popleft()
        try:
            job = submit(client, chunk, options)
        except ServerError as error:
            if error.status != 413:
                raise
            if len(chunk) == 1:
                refused(error_record(chunk[0], f"refused by the server: {error.reason}"))
            else:
                waiting.extendleft([chunk[len(chunk) // 2 :], chunk[: len(chunk) // 2]])
            continue
        yield chunk, job


def run_on_server(
    client: httpx.Client,
    items: Sequence[ItemInput],
    options: JobOptions,
    emit: Emit,
    progress: Progress,
    poll_seconds: float | None = None,
) -> list[str]:
    """Every item's record to `emit`; returns the ids of the jobs it ran."""
    files = {item.id: item.file for item in items}
    finished = 0  # items of the jobs before the current one, and refused items
    ran: list[str] = []

    def refuse(record: dict[str, Any]) -> None:
        nonlocal finished
        emit(record)
        finished += 1
        progress(finished)

    for chunk, job in _jobs(client, items, options, refuse):
        ran.append(job["id"])
        ended = wait(client, job["id"], _after(progress, finished), poll_seconds or POLL_SECONDS)
        if ended["state"] != "done":
            log.warning(
                "batch: job %s ended %s; its unfinished items are not in the output",
                job["id"],
                ended["state"],
            )
        for record in results(client, job["id"]):
            if record["id"] in files:
                emit(_as_record(record, files[record["id"]]))
        finished += len(chunk)
    return ran
