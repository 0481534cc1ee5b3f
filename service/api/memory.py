"""/v1/memory: a person's corrections (PUT), and the caller's own entries as TMX (GET /v1/memory.tmx).

A correction belongs to the caller's tenant and wins over the model's translation of that source from the
next request on, for that tenant only.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from service.access import Principal
from service.api.errors import APIError
from service.api.routes import ERRORS, State, require_key
from service.memory.tmx import tmx_bytes

Caller = Annotated[Principal, Depends(require_key)]
memory_api = APIRouter(prefix="/v1", responses=ERRORS, dependencies=[Depends(require_key)], tags=["memory"])


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=10_000, description="The source sentence, as sent")
    translation: str = Field(min_length=1, max_length=20_000, description="A person's English for it")
    source_lang: str = Field(default="zh", min_length=2, max_length=8, description="ISO 639-1 code")


class MemoryEntryOut(BaseModel):
    source: str = Field(description="The source as the memory compares it (cleaned, Simplified script)")
    translation: str
    source_lang: str
    origin: str = Field(description="person: a correction or an import; model: a model's translation")


@memory_api.put("/memory", response_model=MemoryEntryOut)
async def correct(body: Correction, state: State, principal: Caller) -> MemoryEntryOut:
    """File a person's translation of `source` for the caller's tenant (committed before the answer)."""
    memory = state.engine.memory
    if not memory.enabled:
        raise APIError(409, "memory_off", "the translation memory is off here (GAZETTE_MEMORY=off)")
    if not body.translation.strip() or not body.source.strip():
        raise APIError(422, "invalid_request", "source and translation must hold text")
    entry = await memory.correct(principal.tenant, body.source_lang, body.source, body.translation)
    return MemoryEntryOut(
        source=entry.source, translation=entry.translation, source_lang=entry.source_lang, origin=entry.origin
    )


@memory_api.get(
    "/memory.tmx",
    response_class=Response,
    responses={200: {"content": {"application/x-tmx+xml": {}}, "description": "TMX 1.4b"}},
)
async def export_tmx(state: State, principal: Caller) -> Response:
    """The caller's tenant's entries (people's and the model's) as TMX 1.4b."""
    entries = await state.engine.memory.entries(principal.tenant) if state.engine.memory.enabled else []
    data = await asyncio.to_thread(tmx_bytes, entries)
    headers = {"Content-Disposition": 'attachment; filename="gazette-memory.tmx"'}
    return Response(data, media_type="application/x-tmx+xml", headers=headers)
