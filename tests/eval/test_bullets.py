from __future__ import annotations

from eval.bullets import document_of, score_summary
from eval.cache import Output, SegmentOutput
from eval.suites import ReferenceBullet
from service.pipeline.bullets import Bullet
from service.pipeline.summarize import Summary

OUTPUT = Output(
    "Tong'an held a conference.\nIndustry output rose 24.5%.",
    (
        SegmentOutput("p1.s1", "同安区召开大会。", "Tong'an held a conference.", "同安區召開大會。"),
        SegmentOutput("p2.s1", "产值增长24.5%。", "Industry output rose 24.5%.", "產值增長24.5%。"),
    ),
    20,
    1.0,
)
REFERENCES = (ReferenceBullet("High-tech industry added value grew 24.5%.", (2,)),)


def summary(*bullets: Bullet) -> Summary:
    return Summary(
        bullets=bullets, regenerated=1, replaced=0, dropped=0, model="m", templates=("qwen/summarize.v1",)
    )


def test_the_document_comes_back_from_what_was_kept() -> None:
    document = document_of(OUTPUT, "zh")
    assert [(s.id, s.paragraph, s.source) for s in document.segments] == [
        ("p1.s1", 1, "同安區召開大會。"),
        ("p2.s1", 2, "產值增長24.5%。"),
    ]


def test_a_grounded_bullet_passes_and_covers_its_reference_line() -> None:
    scored = score_summary(
        summary(Bullet("Industry output rose 24.5%.", ("p2.s1",))), document_of(OUTPUT, "zh"), REFERENCES, 5
    )
    assert scored["problems"] == {}
    assert scored["reference_lines_cited"] == [2] and scored["rouge"]["rouge1"] > 40
    assert scored["regenerated"] == 1 and scored["templates"] == ["qwen/summarize.v1"]


def test_bad_bullets_are_named_on_re_check() -> None:
    bad = summary(
        Bullet("Industry output rose 30%.", ("p2.s1",)),  # a number its source lacks
        Bullet("Tong'an held a conference.", ("p9.s9",)),  # a segment the document lacks
        Bullet("Tong'an held a conference again.", ()),  # no source at all
    )
    scored = score_summary(bad, document_of(OUTPUT, "zh"), REFERENCES, 2)
    assert {"unsupported_number", "unknown_source", "no_sources", "bullet_count"} <= set(scored["problems"])
