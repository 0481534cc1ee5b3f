"""`gazette bench --document FILE`: one document through the engine, as a reader would get it streamed.

It reports when the first segment and `p1.s1` were final, the whole time, and what the model spent: prompt
tokens evaluated, prompt tokens taken from the cache, tokens generated, against the document's own tokens
(its source as the model tokenizes it, and the English generated). The ratio
(prompt evaluated + generated) / (source + generated) is 1.0 for a model shown nothing but the text.
The memory is off (a bench measures the model), so the document costs what it costs the first time.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from service.gazette import Gazette
from service.pipeline.events import Event, SegmentDone
from service.pipeline.summarize import SummarizeJob
from service.pipeline.translate import TranslateJob
from service.pipeline.types import TranslatedDocument
from service.settings import Settings


@dataclass(frozen=True)
class DocumentRun:
    file: str
    task: str
    segments: int
    first_segment_s: float | None
    first_sentence_s: float | None  # p1.s1
    total_s: float
    source_tokens: int
    prompt_tokens: int
    cached_prompt_tokens: int
    generated_tokens: int

    @property
    def ratio(self) -> float:
        spent = self.prompt_tokens + self.generated_tokens
        return round(spent / max(1, self.source_tokens + self.generated_tokens), 3)


async def run_document(settings: Settings, path: Path, summarize: bool, bullets: int) -> DocumentRun:
    text = path.read_text(encoding="utf-8")
    seen: dict[str, float] = {}
    async with Gazette(settings) as gz:
        await gz.wait_ready()
        started = time.monotonic()

        def listen(event: Event) -> None:
            if isinstance(event, SegmentDone):
                seen.setdefault(event.segment.id, time.monotonic() - started)

        job = TranslateJob(text)
        if summarize:
            [done] = await gz.summarize([SummarizeJob(job, bullets)], listener=listen)
            document, summary = done.document, done.summary
            spent = (
                summary.prompt_tokens,
                summary.cached_prompt_tokens,
                summary.generated_tokens,
            )
        else:
            [document] = await gz.translate([job], listener=listen)
            spent = (0, 0, 0)
        total = time.monotonic() - started
        backend = await gz.translator_backend(document.source_lang)
        source_tokens = sum(backend.count_tokens(segment.normalized) for segment in document.segments)
    return _run(path, summarize, document, seen, total, source_tokens, spent)


def _run(
    path: Path,
    summarize: bool,
    document: TranslatedDocument,
    seen: dict[str, float],
    total: float,
    source_tokens: int,
    spent: tuple[int, int, int],
) -> DocumentRun:
    return DocumentRun(
        file=str(path),
        task="summarize" if summarize else "translate",
        segments=len(document.segments),
        first_segment_s=round(min(seen.values()), 2) if seen else None,
        first_sentence_s=round(seen["p1.s1"], 2) if "p1.s1" in seen else None,
        total_s=round(total, 2),
        source_tokens=source_tokens,
        prompt_tokens=document.prompt_tokens + spent[0],
        cached_prompt_tokens=document.cached_prompt_tokens + spent[1],
        generated_tokens=document.generated_tokens + spent[2],
    )


def render_document(run: DocumentRun) -> str:
    return json.dumps(asdict(run) | {"ratio": run.ratio}, indent=2) + "\n"
