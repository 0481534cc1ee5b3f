"""Bodies of the jobs API (`/v1/jobs`): pydantic at the edge, with its limits."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Hard ceilings in the schema; the configurable, lower ones (GAZETTE_MAX_JOB_ITEMS, MAX_JOB_CHARS,
# MAX_CHARS) are checked before the job is stored and answer 413.
_ITEMS_CEILING = 100_000
_TEXT_CEILING = 10_000_000


class JobItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200, description="Yours; by default the item's position")
    text: str = Field(min_length=1, max_length=_TEXT_CEILING)


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: Literal["translate", "summarize", "both"] = "translate"
    items: list[JobItemIn] = Field(min_length=1, max_length=_ITEMS_CEILING)
    source_lang: str = Field(default="auto", min_length=2, max_length=8, description="ISO 639-1 code or auto")
    glossary: dict[str, str] = Field(default_factory=dict, max_length=1000)
    glossary_id: str | None = Field(
        default=None, max_length=100, description="A stored glossary; `glossary` wins over it"
    )
    bullets: int = Field(default=5, ge=1, le=10, description="Bullets per item (summarize, both)")

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [item.id for item in self.items if item.id is not None]
        if len(ids) != len(set(ids)):
            raise ValueError("item ids must be unique within a job")
        return self


class ItemCounts(BaseModel):
    total: int
    done: int
    failed: int
    cancelled: int


class SegmentCounts(BaseModel):
    done: int
    total: int


class JobOut(BaseModel):
    id: str
    task: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    items: ItemCounts
    characters: int = Field(description="Characters of all items")
    characters_done: int
    created: str
    updated: str
    started: str | None
    finished: str | None
    seconds: float = Field(description="Since the job started (to its end, once ended)")
    eta_seconds: float | None = Field(description="Remaining characters at this job's rate so far")
    paused: str | None = Field(
        None,
        description="Why a queued or running job is not moving now (the job store cannot write: disk "
        "full; no model); it goes on by itself, nothing lost, once the cause is gone",
    )
    files: list[str] = Field(description="Uploads translated in their own format: /v1/jobs/{id}/files/{name}")
    segments: SegmentCounts | None = Field(
        None,
        description="Sentences done of the items in the engine now (a one-document job's bar moves sentence"
        " by sentence); null while none is",
    )


class JobList(BaseModel):
    jobs: list[JobOut]
    next_before: str | None = Field(description="Pass as ?before= for the next (older) page")
