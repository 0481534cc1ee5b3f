"""The pipeline's use of the memory's examples and its confidence per segment, over a fake model layer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from service.memory import MemoryStore, person_entry
from service.memory.examples import POOL, ExampleFinder
from service.models.backend import Generation, ModelInfo, Source
from service.pipeline.confidence import CALIBRATION, ConfidenceBasis
from service.pipeline.translate import TranslateJob, TranslationPipeline
from service.pipeline.types import TranslatedDocument
from tests.pipeline.fakes import OneQueue

DOCUMENT = "厦门市同安区召开质量强区大会。\n同安区高技术产业增加值同比增长24.5%。"
LIKE_IT = (
    "厦门市同安区召开质量强区大会，部署今年的质量工作。",
    "Tong'an District of Xiamen held a quality conference.",
)


class Sure:
    """Answers every sentence in English, surer of the first paragraph's than of the second's."""

    def __init__(self, prompted: bool = True) -> None:
        self.seen: list[Source] = []
        self.info = ModelInfo("fake", "fake", "translate", "built", prompted=prompted)

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, sources: Sequence[Source]) -> list[Generation]:
        self.seen.extend(sources)
        return [
            Generation(
                "Xiamen's Tong'an District held a quality conference.", 9, mean_logprob=-0.1, min_logprob=-1.0
            )
            if "大会" in source.text
            else Generation(
                "High-tech value added in Tong'an grew 24.5%.", 9, mean_logprob=-1.5, min_logprob=-6.0
            )
            for source in sources
        ]


def run(backend: Sure, finder: ExampleFinder | None) -> TranslatedDocument:
    pipeline = TranslationPipeline(OneQueue(backend), token_budget=200, timeout=10, examples=finder)
    document = asyncio.run(pipeline.translate(TranslateJob(DOCUMENT, "zh")))
    assert len(document.confidence_basis) == len(document.segments)
    return document


def test_every_sentence_of_a_document_is_shown_the_same_examples(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "db.sqlite3")
    store.put([person_entry(POOL, "zh", *LIKE_IT)])
    backend = Sure()
    run(backend, ExampleFinder(lambda: store))
    assert len(backend.seen) == 2 and all(source.examples == (LIKE_IT,) for source in backend.seen)
    plain = Sure(prompted=False)  # a seq2seq model has no prompt to show them in
    run(plain, ExampleFinder(lambda: store))
    assert all(source.examples == () for source in plain.seen)
    store.close()


def test_the_surer_sentence_has_the_higher_confidence() -> None:
    document = run(Sure(), None)
    first, second = (segment.confidence for segment in document.segments)
    assert first is not None and second is not None and 0 <= second < first <= 1
    basis = document.confidence_basis[0]
    assert basis is not None and (basis.mean_logprob, basis.min_logprob, basis.tokens) == (-0.1, -1.0, 9)
    assert first == CALIBRATION.confidence(basis)


def test_a_check_that_fires_lowers_the_confidence() -> None:
    basis = ConfidenceBasis(-0.3, -2.0, 0, 12)
    assert CALIBRATION.confidence(ConfidenceBasis(-0.3, -2.0, 2, 12)) < CALIBRATION.confidence(basis)
