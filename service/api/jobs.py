"""The jobs API (`/v1/jobs`): durable batch work, a thin adapter over the engine's `Jobs`."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from service.access import Principal, QuotaExceeded
from service.api.errors import APIError
from service.api.job_schemas import ItemCounts, JobList, JobOut, JobRequest, SegmentCounts
from service.api.routes import ERRORS, State, glossary_of, principal_of, require_key
from service.db.errors import StoreWriteFailed
from service.jobs.downloads import disposition, media_type
from service.jobs.formats import BadFile, UnsupportedFile, kind_of, read_items, translated_name
from service.jobs.job import UNFINISHED
from service.jobs.jobs import IdempotencyConflict, JobLimit, Jobs, Progress
from service.jobs.records import ItemInput
from service.jobs.work import JobOptions
from service.request_log import note_work

Caller = Annotated[Principal, Depends(require_key)]
jobs_api = APIRouter(prefix="/v1/jobs", responses=ERRORS, dependencies=[Depends(require_key)], tags=["jobs"])

_SUBMIT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": JobRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "task": {"type": "string", "enum": ["translate", "summarize", "both"]},
                        "source_lang": {"type": "string"},
                        "bullets": {"type": "integer"},
                        "glossary": {"type": "string", "description": "a JSON object, term → rendering"},
                        "glossary_id": {"type": "string", "description": "a stored glossary"},
                    },
                }
            },
        },
    }
}


def _jobs(state: State) -> Jobs:
    return state.engine.jobs


def _time(seconds: float | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def job_out(progress: Progress) -> JobOut:
    job = progress.job
    return JobOut(
        id=job.id,
        task=job.task,
        state=job.state,
        items=ItemCounts(total=job.total, done=job.done, failed=job.failed, cancelled=job.cancelled),
        characters=job.chars,
        characters_done=job.chars_done,
        created=_time(job.created) or "",
        updated=_time(job.updated) or "",
        started=_time(job.started),
        finished=_time(job.finished),
        seconds=progress.seconds,
        eta_seconds=progress.eta_seconds,
        paused=progress.paused,
        files=list(job.files),
        segments=None
        if progress.segments is None
        else SegmentCounts(done=progress.segments[0], total=progress.segments[1]),
    )


async def _from_json(request: Request, state: State) -> tuple[JobOptions, list[ItemInput], dict[str, bytes]]:
    try:
        body = JobRequest.model_validate_json(await request.body())
    except ValidationError as error:
        raise APIError(422, "invalid_request", _first_problem(error)) from error
    glossary = await glossary_of(state, principal_of(request), body.glossary_id, body.glossary)
    options = JobOptions(body.task, body.source_lang, glossary, body.bullets)
    items = [ItemInput(item.id or str(n), item.text) for n, item in enumerate(body.items)]
    return options, items, {}


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem.get("loc", ()))
    return f"{where}: {problem.get('msg', 'invalid')}" if where else str(problem.get("msg", "invalid"))


async def _from_form(request: Request, state: State) -> tuple[JobOptions, list[ItemInput], dict[str, bytes]]:
    form = await request.form()
    uploads = [part for part in form.getlist("files") if isinstance(part, UploadFile)]
    if not uploads:
        raise APIError(422, "invalid_request", "a multipart job needs one or more 'files'")
    fields = {
        name: str(form.get(name))
        for name in ("task", "source_lang", "bullets", "glossary", "glossary_id")
        if name in form
    }
    try:
        fields["glossary"] = json.loads(fields["glossary"]) if "glossary" in fields else {}
        body = JobRequest.model_validate({**fields, "items": [{"text": "-"}]})
    except json.JSONDecodeError as error:
        raise APIError(422, "invalid_request", "glossary: not a JSON object") from error
    except ValidationError as error:
        raise APIError(422, "invalid_request", _first_problem(error)) from error
    items: list[ItemInput] = []
    files: dict[str, bytes] = {}
    for upload in uploads:
        name = PurePath(upload.filename or "upload.txt").name  # never a path from the client
        if name in files or any(item.file == name for item in items):
            raise APIError(422, "invalid_request", f"two files are named {name!r}")
        if translated_name(name) in {translated_name(other) for other in files}:
            raise APIError(422, "invalid_request", f"two files would come back as {translated_name(name)!r}")
        data = await upload.read()
        try:
            items += await asyncio.to_thread(read_items, name, data)  # .docx/.html parsing takes a while
            if kind_of(name) != "jsonl":
                files[name] = data
        except UnsupportedFile as error:
            raise APIError(415, "unsupported_media_type", str(error)) from error
        except BadFile as error:
            raise APIError(422, "invalid_request", f"{name}: {error}") from error
    glossary = await glossary_of(state, principal_of(request), body.glossary_id, body.glossary)
    return JobOptions(body.task, body.source_lang, glossary, body.bullets), items, files


@jobs_api.post("", status_code=202, response_model=JobOut, openapi_extra=_SUBMIT_BODY)
async def submit_job(
    request: Request,
    state: State,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Submit a job: JSON items, or files as multipart. Answered once the job is stored."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        options, items, files = await _from_json(request, state)
    elif media == "multipart/form-data":
        options, items, files = await _from_form(request, state)
    else:
        raise APIError(415, "unsupported_media_type", "send application/json or multipart/form-data")
    if not items:
        raise APIError(422, "invalid_request", "the job has no items")
    note_work(request, [item.text for item in items])
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        twice = sorted(found for found, count in Counter(ids).items() if count > 1)[:3]
        raise APIError(422, "invalid_request", f"item ids must be unique within a job: {', '.join(twice)}")
    principal = principal_of(request)
    try:
        job, created = await _jobs(state).submit(principal, options, items, files, idempotency_key)
    except QuotaExceeded as error:
        raise APIError(403, "quota_exceeded", str(error)) from None
    except JobLimit as error:
        status, code = (413, "payload_too_large") if error.kind == "too_large" else (429, "overloaded")
        raise APIError(status, code, str(error), {"Retry-After": "60"} if status == 429 else None) from error
    except IdempotencyConflict as error:
        raise APIError(422, "invalid_request", str(error)) from error
    except StoreWriteFailed as error:  # a full disk: nothing was stored, and a retry later can succeed
        message = f"the job was not stored: {error}"
        raise APIError(503, "storage_unavailable", message, {"Retry-After": "60"}) from error
    progress = await _jobs(state).progress(job.id, principal.tenant)
    assert progress is not None
    headers = {"Location": f"/v1/jobs/{job.id}"}
    if not created:
        headers["Idempotent-Replayed"] = "true"  # the job this key made before, not a new one
    return JSONResponse(job_out(progress).model_dump(), status_code=202, headers=headers)


async def _progress(state: State, principal: Principal, job_id: str) -> Progress:
    """The principal's job; another's is answered exactly as an unknown one."""
    progress = await _jobs(state).progress(job_id, principal.tenant)
    if progress is None:
        raise APIError(404, "not_found", f"no job {job_id}")
    return progress


@jobs_api.get("", response_model=JobList)
async def list_jobs(
    state: State,
    principal: Caller,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    before: Annotated[str | None, Query(max_length=64)] = None,
) -> JobList:
    """The caller's jobs, newest first, `limit` per page."""
    page = await _jobs(state).newest(principal.tenant, limit, before)
    return JobList(
        jobs=[job_out(p) for p in page], next_before=page[-1].job.id if len(page) == limit else None
    )


@jobs_api.get("/{job_id}", response_model=JobOut)
async def get_job(job_id: str, state: State, principal: Caller) -> JobOut:
    return job_out(await _progress(state, principal, job_id))


@jobs_api.delete(
    "/{job_id}",
    response_model=JobOut,
    responses={204: {"description": "The finished job was deleted, its uploads and results with it"}},
)
async def cancel_job(job_id: str, state: State, principal: Caller) -> Response:
    """A queued or running job is cancelled (items in flight finish, the others are marked cancelled)
    and answered, so that what was done can still be read; a finished one is deleted at once (204)."""
    jobs = _jobs(state)
    found = await _progress(state, principal, job_id)
    if found.job.state in UNFINISHED:
        progress = await jobs.cancel(job_id, principal.tenant)
        if progress is not None:
            return JSONResponse(job_out(progress).model_dump())
    await jobs.delete([job_id])
    return Response(status_code=204)


@jobs_api.get("/{job_id}/results", response_class=StreamingResponse)
async def job_results(
    job_id: str, state: State, principal: Caller, after: Annotated[str | None, Query(max_length=200)] = None
) -> StreamingResponse:
    """JSON Lines, one per finished item in input order; `after`: an item id, to page on from it."""
    await _progress(state, principal, job_id)
    jobs, tenant = _jobs(state), principal.tenant
    start = -1 if after is None else await jobs.position_of(job_id, tenant, after)
    if start is None:
        raise APIError(404, "not_found", f"job {job_id} has no item {after!r}")

    async def lines() -> AsyncIterator[bytes]:
        cursor = start
        while page := await jobs.records(job_id, tenant, cursor):
            for position, record in page:
                yield (json.dumps(record, ensure_ascii=False) + "\n").encode()
                cursor = position

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@jobs_api.get("/{job_id}/files/{name}", response_class=Response)
async def job_file(job_id: str, name: str, state: State, principal: Caller) -> Response:
    """An uploaded file, translated, in its own format (once its item is done)."""
    await _progress(state, principal, job_id)
    found = await _jobs(state).translated_file(job_id, principal.tenant, name)
    if found is None:
        raise APIError(404, "not_found", f"job {job_id} has no file {name!r}")
    data, why = found
    if data is None:
        raise APIError(409, "not_finished", f"{name}: {why}")
    return Response(data, media_type=media_type(name), headers={"Content-Disposition": disposition(name)})
