"""Files through the engine's job store, for the compatible APIs: an upload becomes a job (as an upload to
`POST /v1/jobs` does) and its translation is the job's translated file, sent back as an attachment.

Each adapter words the refusals its own way: they come out of here as `FileRefused` with a `kind`.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePath
from typing import Literal

from fastapi.responses import Response

from service.access import Principal
from service.jobs.downloads import disposition, media_type
from service.jobs.formats import SUFFIXES, BadFile, read_items
from service.jobs.job import Job
from service.jobs.jobs import JobLimit, Jobs
from service.jobs.work import JobOptions

# Every kind the jobs rebuild in its own format (.jsonl holds items, not a document: nothing to give back).
FILE_SUFFIXES = [suffix for suffix, kind in SUFFIXES.items() if kind != "jsonl"]
RefusalKind = Literal["no_name", "unsupported", "unreadable", "empty", "too_large", "too_many"]


class FileRefused(ValueError):
    def __init__(self, kind: RefusalKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def upload_name(filename: str | None) -> str:
    """The upload's own name, never a path from the client; FileRefused when it has none or is of a kind
    that cannot come back in its own format."""
    name = PurePath(filename or "").name
    if not name:
        raise FileRefused("no_name", "the file has no name")
    if not any(name.lower().endswith(suffix) for suffix in FILE_SUFFIXES):
        raise FileRefused("unsupported", f"{name}: file format not supported")
    return name


async def file_job(jobs: Jobs, principal: Principal, name: str, data: bytes, options: JobOptions) -> Job:
    """The upload stored as the principal's job of one item (committed before this returns); the runner
    does the work. Its characters, counted from the parsed file, are reserved first (QuotaExceeded)."""
    try:
        items = await asyncio.to_thread(read_items, name, data)  # .docx/.html parsing takes a while
    except BadFile as error:
        raise FileRefused("unreadable", str(error)) from None
    if not any(item.text.strip() for item in items):
        raise FileRefused("empty", "the file has no text to translate")
    try:
        job, _ = await jobs.submit(principal, options, items, {name: data})
    except JobLimit as error:
        raise FileRefused("too_many" if error.kind == "too_many" else "too_large", str(error)) from None
    return job


def attachment(name: str, data: bytes) -> Response:
    """The translation of the file uploaded as `name`, under its own name (a PDF's as NAME.docx)."""
    return Response(data, media_type=media_type(name), headers={"Content-Disposition": disposition(name)})
