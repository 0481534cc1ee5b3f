"""Request and response bodies of the HTTP API: pydantic at the edge, with its limits."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Hard ceilings in the schema; the configurable, lower limits (GAZETTE_MAX_CHARS, GAZETTE_MAX_ITEMS)
# are checked before any work starts and answer 413.
_TEXT_CEILING = 10_000_000
_ITEMS_CEILING = 10_000


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=_TEXT_CEILING, description="One document")
    texts: list[str] | None = Field(
        default=None, max_length=_ITEMS_CEILING, description="Several documents, each handled on its own"
    )
    source_lang: str = Field(default="auto", min_length=2, max_length=8, description="ISO 639-1 code or auto")
    target_lang: str = Field(default="en", min_length=2, max_length=8)
    glossary: dict[str, str] = Field(
        default_factory=dict,
        max_length=1000,
        description="Approved renderings, source term → English; merged over the built-in glossary",
    )
    glossary_id: str | None = Field(
        default=None,
        max_length=100,
        description="A stored glossary (POST /v2/glossaries); this request's own `glossary` wins over it. "
        "An unknown id is a 404",
    )
    format: Literal["text", "html", "xml", "markdown"] = Field(
        default="text",
        description="html or xml: markup kept, each run of text translated whole with its inline elements "
        "in place (`translation` is the document in its format; segments show them as <gN>/<xN/> "
        'placeholders); attributes, code, pre, script, style and translate="no" untouched. markdown: '
        "prose translated; code, URLs, HTML blocks and front matter kept byte for byte. For "
        "/v1/summarize, the text of the markup is summarized",
    )

    stream: bool = Field(
        default=False,
        description="Answer with Server-Sent Events as the work goes (also: Accept: text/event-stream)",
    )

    @model_validator(mode="after")
    def _one_of_text_or_texts(self) -> Self:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' or 'texts'")
        if not self.documents():
            raise ValueError("'texts' is empty")
        for index, document in enumerate(self.documents()):
            if not document.strip():
                where = "'text'" if self.text is not None else f"'texts[{index}]'"
                raise ValueError(f"{where} is empty")
        return self

    def documents(self) -> list[str]:
        return [self.text] if self.text is not None else list(self.texts or [])


class SegmentOut(BaseModel):
    id: str
    paragraph: int
    source: str
    normalized: str
    translation: str
    memory: bool = Field(default=False, description="Answered from the translation memory, at no model time")
    memory_origin: str | None = Field(
        default=None,
        description="person: a person's correction or an imported entry (it wins over the model's); "
        "model: this model made it before, with the same template, glossary and settings",
    )
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="How likely this translation is to be right, from the model's log-probabilities of "
        "the words it wrote and the checks that fired on it, calibrated on a development set (about the "
        "chrF / 100 to expect): below 0.45, check it. 1 for a person's entry from the memory; null where no model scored it",
    )


class WarningOut(BaseModel):
    code: str
    message: str
    segment: str | None = None


class GlossaryTermOut(BaseModel):
    term: str
    rendering: str
    segments: list[str]
    applied: bool = Field(description="The rendering appears in the translation of every segment listed")
    origin: Literal["request", "configured", "built-in", "auto", "document"] = Field(
        description="request: the request's glossary; configured: the one this service was given "
        "(GAZETTE_GLOSSARY); built-in: Gazette's own; auto: found in this document; document: a name's "
        "first accepted rendering in this document, kept for its later segments"
    )


class ErrorDetail(BaseModel):
    code: str
    message: str


class DocumentOut(BaseModel):
    source_lang: str
    source_lang_confidence: float | None
    translation: str
    segments: list[SegmentOut]
    warnings: list[WarningOut]
    glossary: list[GlossaryTermOut]
    annotations_removed: int = Field(description="Pinyin ruby annotations removed from the source")
    generated_tokens: int = Field(
        description="Tokens the model generated for this document, retries included"
    )
    prompt_tokens: int = Field(
        default=0, description="Prompt tokens the model evaluated for this document, retries included"
    )
    cached_prompt_tokens: int = Field(
        default=0,
        description="Prompt tokens taken ready-made from the model's cache (instructions and heads shared"
        " by many segments, evaluated once)",
    )
    seconds: float = Field(description="Wall-clock seconds from receipt to result for this document")
    model: str = Field(default="", description="The model that translated this document")
    error: ErrorDetail | None = Field(
        default=None,
        description="Set when this document could not be translated (empty_document, unsupported_language) "
        "while the request's other documents were: then its translation is empty. A request fails whole "
        "only when it is itself invalid, or every document failed.",
    )


class ModelOut(BaseModel):
    profile: str
    translate: str
    backend: str
    source: str
    licence: str
    random_weights: bool
    summarize: str | None = Field(default=None, description="The summarising model, for summaries")
    templates: list[str] = Field(
        default_factory=list, description="Prompt templates used, `family/task.vN` (prompted models only)"
    )


class TranslateResponse(BaseModel):
    documents: list[DocumentOut]
    model: ModelOut


class SummarizeRequest(TranslateRequest):
    bullets: int = Field(default=5, ge=1, le=10, description="Bullets wanted per document (at most)")
    include_translation: bool = Field(
        default=False, description="Also return the translation and segments the bullets cite"
    )


class BulletOut(BaseModel):
    text: str
    sources: list[str] = Field(description="Ids of the segments this bullet rests on")
    origin: str = Field(
        description="model: written by the model; model_retry: written again after failing its checks; "
        "extract: the model's bullet failed twice, this is its source sentence compressed"
    )


class SummaryDocumentOut(BaseModel):
    source_lang: str
    source_lang_confidence: float | None
    bullets: list[BulletOut]
    regenerated: int = Field(description="Bullets sent back once by the verifier")
    replaced: int = Field(description="Bullets replaced by a compressed extract of their source")
    dropped: int = Field(description="Chosen sentences that got no verified bullet")
    warnings: list[WarningOut] = Field(description="The translation's warnings, then the verifier's notes")
    generated_tokens: int = Field(
        description="Tokens generated for translation and summary, retries included"
    )
    prompt_tokens: int = Field(default=0, description="Prompt tokens evaluated for translation and summary")
    cached_prompt_tokens: int = Field(
        default=0, description="Prompt tokens taken ready-made from the model's cache"
    )
    seconds: float = Field(description="Wall-clock seconds for translation and summary")
    translation: str | None = None
    segments: list[SegmentOut] | None = None
    glossary: list[GlossaryTermOut] | None = None
    error: ErrorDetail | None = Field(
        default=None, description="Set when this document failed while the request's others were answered"
    )


class SummarizeResponse(BaseModel):
    documents: list[SummaryDocumentOut]
    model: ModelOut


class ErrorBody(BaseModel):
    error: ErrorDetail


class UsageOut(BaseModel):
    tenant: str = Field(description="who the key is: a key's name, key-<digest>, or anonymous")
    characters_used: int = Field(description="characters translated and charged, over every API family")
    characters_reserved: int = Field(description="characters held by work not finished yet (requests, jobs)")
    character_limit: int | None = Field(description="characters the tenant may have translated; null: none")
    rate_limit: int | None = Field(description="requests a minute; null: no limit")
