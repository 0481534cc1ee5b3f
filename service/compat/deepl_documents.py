"""DeepL's document translation over the engine's job store: an upload is a job (run at bulk priority by the
job runner), its `document_id` the job's id; its status is the job's, and its result the job's translated
file. Each document has a `document_key`, given only to its uploader and asked back on every call.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, Literal

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile

from service.access import Principal
from service.compat.deepl_schemas import DeepLError, LanguagePairFields
from service.compat.deepl_store import DeepLStore
from service.compat.files import FileRefused, attachment, file_job, upload_name
from service.jobs.formats import translated_name
from service.jobs.jobs import Jobs, Progress
from service.jobs.work import JobOptions

DocumentState = Literal["queued", "translating", "done", "error"]
_NOT_YET = "not translated yet"


class DocumentKeyFields(BaseModel):
    """What a document's status and result calls send (as the fields of a document upload may)."""

    model_config = ConfigDict(extra="ignore")

    document_key: str | None = None


class DocumentFields(LanguagePairFields):
    filename: str | None = None
    output_format: str | None = None
    document_key: str | None = None


def _refusal(error: FileRefused) -> DeepLError:
    if error.kind == "too_many":
        return DeepLError(429, f"Too many requests: {error}", {"Retry-After": "60"})
    if error.kind == "too_large":
        return DeepLError(413, f"Request Entity Too Large: {error}")
    return DeepLError(400, f"Invalid file data: {error}")


async def upload(
    jobs: Jobs,
    principal: Principal,
    store: DeepLStore,
    file: UploadFile,
    fields: DocumentFields,
    options: JobOptions,
) -> dict[str, str]:
    """`{"document_id", "document_key"}` once its job is stored (QuotaExceeded past the quota)."""
    try:
        name = upload_name(fields.filename or file.filename)
        # A document comes back in its own format, a PDF as a .docx (DeepL's `output_format=docx`).
        if (
            fields.output_format
            and fields.output_format.lower().lstrip(".") != PurePath(translated_name(name)).suffix[1:].lower()
        ):
            raise DeepLError(
                400,
                "Value for 'output_format' not supported: a document comes back in its own format "
                "(a PDF as docx)",
            )
        job = await file_job(jobs, principal, name, await file.read(), options)
    except FileRefused as error:
        raise _refusal(error) from None
    key = await store.new_document(job.id, name)
    return {"document_id": job.id, "document_key": key}


async def _document(
    jobs: Jobs, principal: Principal, store: DeepLStore, document_id: str, key: str | None
) -> tuple[str, Progress]:
    """The document's file name and its job, when `key` is its key and it is the principal's. A wrong key,
    or another tenant's document, is answered as an unknown document: whether an id exists is not told."""
    if not key:
        raise DeepLError(400, "Parameter 'document_key' not specified.")
    name = await store.document_file(document_id, key)
    progress = await jobs.progress(document_id, principal.tenant) if name is not None else None
    if name is None or progress is None:
        raise DeepLError(404, "Document not found")
    return name, progress


async def status(
    jobs: Jobs, principal: Principal, store: DeepLStore, document_id: str, key: str | None
) -> dict[str, Any]:
    """`{"document_id", "status"}` with `seconds_remaining` while it is translated (when it can be told),
    `billed_characters` once done, `error_message` on error."""
    _, progress = await _document(jobs, principal, store, document_id, key)
    job = progress.job
    answer: dict[str, Any] = {"document_id": document_id}
    if job.state in ("queued", "running"):
        state: DocumentState = "queued" if job.state == "queued" else "translating"
        answer["status"] = state
        if progress.eta_seconds is not None:
            answer["seconds_remaining"] = max(1, round(progress.eta_seconds))
        return answer
    if job.state == "done" and not job.failed:
        return answer | {"status": "done", "billed_characters": job.chars}
    why = "the translation was cancelled"
    if job.state != "cancelled":
        records = await jobs.records(document_id, principal.tenant, -1, 1)
        why = str(records[0][1].get("error") or "") if records else ""
    return answer | {"status": "error", "error_message": why or "the document could not be translated"}


async def result(
    jobs: Jobs, principal: Principal, store: DeepLStore, document_id: str, key: str | None
) -> Response:
    """The translated file; 503 until it is ready (the client reads that as "not ready yet")."""
    name, _ = await _document(jobs, principal, store, document_id, key)
    found = await jobs.translated_file(document_id, principal.tenant, name)
    if found is None:
        raise DeepLError(404, "Document not found")
    data, why = found
    if data is None:
        if why == _NOT_YET:
            raise DeepLError(503, "Document not ready", {"Retry-After": "5"})
        raise DeepLError(400, f"Document translation failed: {why}")
    return attachment(name, data)


def document_options(source: str, glossary: Mapping[str, str]) -> JobOptions:
    return JobOptions("translate", source, dict(glossary))
