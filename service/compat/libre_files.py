"""`/translate_file` and `/download_file`: a file becomes a job in the engine's job store (`files`), and its
translation is the job's translated file.

The request waits for the job (LibreTranslate answers once the file is translated) but holds no model slot
while it does: the job runner does the work, at bulk priority. A job that outlasts GAZETTE_REQUEST_TIMEOUT
goes on; its URL is answered anyway, and downloading it says "not translated yet" until it is.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePath

from fastapi.responses import Response
from starlette.datastructures import UploadFile

from service.access import Principal
from service.compat.files import FILE_SUFFIXES, FileRefused, attachment, file_job, upload_name
from service.compat.libre_schemas import LibreError
from service.jobs.formats import BadFile
from service.jobs.job import UNFINISHED
from service.jobs.jobs import Jobs
from service.jobs.work import JobOptions

__all__ = ["FILE_SUFFIXES", "download", "stored_name", "translate_file"]
_LONGEST_POLL = 1.0


def stored_name(job_id: str, name: str) -> str:
    """What `/download_file/` is given: the job, then the file's own name (job ids are hex, no "-")."""
    return f"{job_id}-{name}"


def _refusal(error: FileRefused) -> LibreError:
    """In LibreTranslate's words."""
    if error.kind == "too_many":
        return LibreError(429, f"Slowdown: {error}", {"Retry-After": "60"})
    if error.kind == "no_name":
        return LibreError(400, "Invalid request: empty file")
    if error.kind == "unsupported":
        return LibreError(400, "Invalid request: file format not supported")
    return LibreError(400, f"Invalid request: {error}")


async def translate_file(
    jobs: Jobs, principal: Principal, upload: UploadFile, source: str, timeout: float
) -> str:
    """The stored name of the upload's translation, once its job has finished (or `timeout` passed).
    QuotaExceeded when its characters would take the principal past its quota."""
    try:
        name = upload_name(upload.filename)
        job = await file_job(jobs, principal, name, await upload.read(), JobOptions("translate", source))
    except FileRefused as error:
        raise _refusal(error) from None
    await _finished(jobs, principal.tenant, job.id, timeout)
    found = await jobs.translated_file(job.id, principal.tenant, name)
    if found is not None and found[0] is None and found[1] != "not translated yet":
        raise LibreError(500, f"Cannot translate file: {found[1]}")
    return stored_name(job.id, name)


async def _finished(jobs: Jobs, tenant: str, job_id: str, timeout: float) -> None:
    """Until the job is no longer queued or running, or `timeout` seconds have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pause = 0.05
    while (progress := await jobs.progress(job_id, tenant)) is not None and progress.job.state in UNFINISHED:
        if loop.time() >= deadline:
            return
        await asyncio.sleep(min(pause, max(0.0, deadline - loop.time())))
        pause = min(2 * pause, _LONGEST_POLL)


async def download(jobs: Jobs, principal: Principal, stored: str) -> Response:
    job_id, _, name = stored.partition("-")
    if not job_id or not name or PurePath(name).name != name:
        raise LibreError(400, "Invalid filename")
    try:
        found = await jobs.translated_file(job_id, principal.tenant, name)
    except (BadFile, ValueError) as error:
        raise LibreError(500, f"Cannot translate file: {error}") from None
    if found is None:
        raise LibreError(404, f"{stored}: no such file")
    data, why = found
    if data is None:
        raise LibreError(404, f"{name}: {why}")
    return attachment(name, data)  # the file's own name, as LibreTranslate's download names it
