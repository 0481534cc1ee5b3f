"""The one settings object: built once at start-up from `GAZETTE_*` variables and flags, then passed in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.db.database import database_url

ProfileName = Literal["auto", "opus", "nllb", "qwen-pypi", "qwen-small-pypi", "tiny"]


def _default_cache() -> Path:
    return Path.home() / ".cache" / "gazette"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GAZETTE_", extra="ignore", frozen=True)

    profile: ProfileName = "auto"
    translate_model: str | None = Field(
        default=None, description="Hub id, local model directory or .gguf file; overrides the profile"
    )
    summarize_model: str | None = None
    model_cache: Path = Field(default_factory=_default_cache)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    backend: Literal["auto", "llama.cpp", "ctranslate2", "transformers"] = "auto"

    max_chars: int = Field(default=100_000, ge=1, description="Characters per document")
    max_items: int = Field(default=64, ge=1, description="Documents per request")
    max_body_bytes: int = Field(default=8_000_000, ge=1024)
    max_queue: int = Field(default=4096, ge=1, description="Sentences waiting for the model")
    request_timeout: float = Field(default=300.0, gt=0, description="Seconds per request")
    max_batch_tokens: int = Field(default=2048, ge=16, description="Padded tokens per micro-batch")
    # 16, not more: on a CPU a batch of 32 is barely faster per sentence than two of 16, and a person's
    # request may have to wait for the batch already running.
    max_batch_size: int = Field(default=16, ge=1)
    batch_linger: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Seconds the scheduler may wait after a batch for its callers to come back",
    )
    max_segment_tokens: int = Field(default=200, ge=8, description="Longer sentences are cut at clauses")
    auto_terms: bool = Field(
        default=True, description="Automatic renderings of the people, places and bodies a document names"
    )
    glossary: Path | None = Field(
        default=None,
        description="A TSV of term<TAB>rendering applied to every request, over the built-in glossary",
    )
    # Off by default: on the seed with qwen-pypi it took 561 s against 304 s (a paragraph's sentences wait
    # for each other) for chrF 60.71 against 60.41, and missed more glossary terms (49/58 against 54/58).
    prompt_context: bool = Field(
        default=False,
        description="Instruction models see the document's first line and the sentence before each one",
    )
    memory: bool = Field(
        default=True,
        description="The translation memory: segments translated before are answered from GAZETTE_DB, and"
        " people's corrections win; off: every segment goes to the model and nothing is filed",
    )
    examples: bool = Field(
        default=True,
        description="Instruction models are shown a few entries of the memory like each document (the "
        "tenant's people's entries, then the pool `gazette memory import --pool` fills) as examples; "
        "independent of GAZETTE_MEMORY",
    )
    num_beams: int = Field(default=4, ge=1, le=16)
    hub_timeout: float = Field(default=3.0, gt=0, description="Seconds for the hub reachability check")

    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limit: int | None = Field(
        default=None,
        ge=1,
        description="Requests a minute per tenant (per address for the anonymous one); a key's --rate wins",
    )
    rate_burst: int = Field(default=10, ge=1, description="Requests a caller may send at once, over the rate")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed to call from a browser (CORS); empty: CORS off"
    )
    character_quota: int | None = Field(
        default=None,
        ge=1,
        description="Characters each tenant may have translated, over every API family; a key's --quota wins",
    )
    db: str | None = Field(
        default=None,
        description="The database of jobs, glossaries, keys and usage: a SQLite file (default jobs.sqlite3 in"
        " MODEL_CACHE) or a postgresql:// URL, which any number of replicas share",
    )
    lease_seconds: float = Field(
        default=60.0,
        ge=1,
        description="A job item claimed by a process is another's to take, and the characters its requests"
        " reserved are given back, this long after that process stopped renewing them (it died)",
    )
    retention_days: float = Field(
        default=30,
        ge=0,
        description="Finished jobs, their uploads, results and DeepL documents are deleted after this"
        " many days; 0: kept forever",
    )
    max_job_items: int = Field(default=10_000, ge=1, description="Items per job")
    max_job_chars: int = Field(default=20_000_000, ge=1, description="Characters per job, all items together")
    max_jobs_queued: int = Field(default=100, ge=1, description="Jobs queued or running at once")
    # Documents of a job in the engine at once: enough to keep every batch slot busy, few enough that
    # a cancelled job stops soon and that interactive work is never behind much.
    job_concurrency: int = Field(default=4, ge=1, le=64)
    web_job_chars: int = Field(
        default=5000, ge=1, description="The web form runs a pasted text over this many characters as a job"
    )
    data_dir: Path | None = Field(default=None, description="Evaluation data; default ../shared/eval")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "info"

    def jobs_db(self) -> str | Path:
        """The database: a SQLite file's path, or a PostgreSQL URL."""
        return self.db if self.db is not None else self.model_cache / "jobs.sqlite3"

    def memory_key_settings(self) -> tuple[tuple[str, object], ...]:
        """The settings that change what the pipeline makes of a segment: part of every memory key."""
        return (
            ("max_segment_tokens", self.max_segment_tokens),
            ("prompt_context", self.prompt_context),
            ("num_beams", self.num_beams),
            ("backend", self.backend),
        )

    def eval_data(self) -> Path | None:
        """The evaluation data folder: GAZETTE_DATA_DIR, else ../shared/eval where it exists."""
        if self.data_dir is not None:
            return self.data_dir
        # Beside the working directory, or beside the checkout this package runs from.
        for root in (Path.cwd(), Path(__file__).resolve().parents[1]):
            beside = root.parent / "shared" / "eval"
            if beside.is_dir():
                return beside
        return None

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        # A comma-separated variable is friendlier than the JSON list pydantic-settings expects.
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("db", mode="before")
    @classmethod
    def _db_is_a_file_or_postgres(cls, value: object) -> object:
        # Any other URL was once silently taken as a relative path (a folder named `mysql:` appeared).
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, str) and value:
            database_url(value)  # ValueError, saying what it takes
        return value or None
