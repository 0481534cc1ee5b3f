"""`/translate_file` and `/download_file`: a file becomes a job in the engine's job store, as an upload to
`POST /v1/jobs` does, and its translation is the job's translated file.

The request waits for the job (LibreTranslate answers once the file is translated) but holds no model slot
while it does: the job runner does the work, at bulk priority. A job that outlasts GAZETTE_REQUEST_TIMEOUT
goes on; its URL is answered anyway, and downloading it says "not translated yet" until it is.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePath
from urllib.parse import quote

from fastapi.responses import Response
from starlette.datastructures import UploadFile

from service.compat.libre_schemas import LibreError
from service.jobs.formats import SUFFIXES, BadFile, kind_of, read_items
from service.jobs.job import UNFINISHED
from service.jobs.jobs import JobLimit, Jobs
from service.jobs.work import JobOptions

# Every kind the jobs rebuild in its own format (.jsonl holds items, not a document: nothing to give back).
FILE_SUFFIXES = [suffix for suffix, kind in SUFFIXES.items() if kind != "jsonl"]
_MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_LONGEST_POLL = 1.0


def stored_name(job_id: str, name: str) -> str:
    """What `/download_file/` is given: the job, then the file's own name (job ids are hex, no "-")."""
    return f"{job_id}-{name}"


async def _read(upload: UploadFile) -> tuple[str, bytes]:
    name = PurePath(upload.filename or "").name  # never a path from the client
    if not name:
        raise LibreError(400, "Invalid request: empty file")
    if not any(name.lower().endswith(suffix) for suffix in FILE_SUFFIXES):
        raise LibreError(400, "Invalid request: file format not supported")
    return name, await upload.read()


async def translate_file(jobs: Jobs, upload: UploadFile, source: str, timeout: float) -> str:
    """The stored name of the upload's translation, once its job has finished (or `timeout` passed)."""
    name, data = await _read(upload)
    try:
        items = await asyncio.to_thread(read_items, name, data)  # .docx/.html parsing takes a while
    except BadFile as error:
        raise LibreError(400, f"Invalid request: {error}") from None
    if not any(item.text.strip() for item in items):
        raise LibreError(400, "Invalid request: the file has no text to translate")
    try:
        job, _ = await jobs.submit(JobOptions("translate", source), items, {name: data})
    except JobLimit as error:
        if error.kind == "too_many":
            raise LibreError(429, f"Slowdown: {error}", {"Retry-After": "60"}) from None
        raise LibreError(400, f"Invalid request: {error}") from None
    await _finished(jobs, job.id, timeout)
    found = await jobs.translated_file(job.id, name)
    if found is not None and found[0] is None and found[1] != "not translated yet":
        raise LibreError(500, f"Cannot translate file: {found[1]}")
    return stored_name(job.id, name)


async def _finished(jobs: Jobs, job_id: str, timeout: float) -> None:
    """Until the job is no longer queued or running, or `timeout` seconds have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pause = 0.05
    while (progress := await jobs.progress(job_id)) is not None and progress.job.state in UNFINISHED:
        if loop.time() >= deadline:
            return
        await asyncio.sleep(min(pause, max(0.0, deadline - loop.time())))
        pause = min(2 * pause, _LONGEST_POLL)


async def download(jobs: Jobs, stored: str) -> Response:
    job_id, _, name = stored.partition("-")
    if not job_id or not name or PurePath(name).name != name:
        raise LibreError(400, "Invalid filename")
    try:
        found = await jobs.translated_file(job_id, name)
    except (BadFile, ValueError) as error:
        raise LibreError(500, f"Cannot translate file: {error}") from None
    if found is None:
        raise LibreError(404, f"{stored}: no such file")
    data, why = found
    if data is None:
        raise LibreError(404, f"{name}: {why}")
    # The file's own name, as LibreTranslate's download names it; RFC 6266 for names that are not ASCII.
    fallback = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        data,
        media_type=_MEDIA_TYPES.get(kind_of(name), "application/octet-stream"),
        headers={"Content-Disposition": disposition},
    )
