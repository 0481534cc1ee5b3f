"""A stand-in for the engine (`Gazette`) that the eval runner drives: no model, counted calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from service.engine.pending import Priority
from service.models.backend import ModelInfo
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument, TranslatedSegment

TEMPLATE = "fam/translate.v1"
PLAIN = ModelInfo(model="stand-in", engine="none", task="translate", source="built")
PROMPTED = replace(PLAIN, prompted=True, prompts=(TEMPLATE,))


@dataclass
class StandInEngine:
    """Translates each line to 'English N.' (or to its entry in `replies`); keeps the jobs it was given."""

    fail_on: str = "never"
    info: ModelInfo = PLAIN
    translated: list[str] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)  # source line → its translation
    jobs: list[TranslateJob] = field(default_factory=list)

    async def translate(
        self, jobs: Sequence[TranslateJob], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[TranslatedDocument]:
        (job,) = jobs
        self.translated.append(job.text)
        self.jobs.append(job)
        if self.fail_on in job.text:
            raise RuntimeError("model fell over")
        segments = tuple(
            TranslatedSegment(f"p{n}.s1", n, line, line, self.replies.get(line, f"English {n}."))
            for n, line in enumerate(job.text.splitlines(), start=1)
        )
        return [TranslatedDocument("zh", None, "\n".join(s.translation for s in segments), segments)]

    async def translator_info(self, source_lang: str = "zh") -> ModelInfo:
        return self.info


@dataclass
class StandInGazette(StandInEngine):
    """The stand-in in the place of `Gazette` itself, for the `gazette eval` command's own path."""

    profile: Any = None

    def loaded(self) -> list[Any]:
        return []

    async def __aenter__(self) -> StandInGazette:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
