"""The seed suite's bullet scoring: the evaluation's own checks, one hand-made bad bullet each, and
bullets the service's verifier would pass that these checks still catch."""

from __future__ import annotations

import pytest

from eval.bullet_checks import MAX_WORDS, check_bullets
from eval.bullets import document_of, score_summary
from eval.cache import Output, SegmentOutput
from eval.suites import ReferenceBullet
from service.pipeline.bullets import Bullet, check_bullet
from service.pipeline.summarize import Summary

OUTPUT = Output(
    "Tong'an held a conference on quality.\nIndustry output rose 24.5% to 1.2 million yuan.",
    (
        SegmentOutput(
            "p1.s1", "同安区召开质量大会。", "Tong'an held a conference on quality.", "同安區召開質量大會。"
        ),
        SegmentOutput(
            "p2.s1",
            "产值增长百分之二十四点五，达一百二十万元，涉及十一个项目。",
            "Industry output rose 24.5% to 1.2 million yuan.",
            "產值增長百分之二十四點五，達一百二十萬元，涉及十一個項目。",
        ),
    ),
    20,
    1.0,
)
DOCUMENT = document_of(OUTPUT, "zh")
REFERENCES = (ReferenceBullet("High-tech industry added value grew 24.5%.", (2,)),)
GOOD = Bullet("Industry output rose 24.5% to 1,200,000 yuan across eleven projects.", ("p2.s1",))


def summary(*bullets: Bullet) -> Summary:
    return Summary(
        bullets=bullets, regenerated=1, replaced=0, dropped=0, model="m", templates=("qwen/summarize.v2",)
    )


def problems(*bullets: Bullet) -> list[tuple[str, ...]]:
    texts = [bullet.text for bullet in bullets]
    return [check.problems for check in check_bullets(texts, [b.sources for b in bullets], DOCUMENT)]


def test_the_document_comes_back_from_what_was_kept() -> None:
    assert [(s.id, s.paragraph, s.source[:4]) for s in DOCUMENT.segments] == [
        ("p1.s1", 1, "同安區召"),
        ("p2.s1", 2, "產值增長"),
    ]


def test_a_grounded_bullet_passes_and_covers_its_reference_line() -> None:
    # 1,200,000 is the English '1.2 million'; eleven is the source's 十一 (the English lacks it).
    scored = score_summary(summary(GOOD), DOCUMENT, REFERENCES, 5)
    assert scored["problems"] == {} and scored["bullets_with_problems"] == 0
    assert scored["bullets"][0]["problems"] == [] and scored["bullets"][0]["notes"] == []
    assert scored["reference_lines_cited"] == [2] and scored["rouge"]["rouge1"] > 20
    assert scored["regenerated"] == 1 and scored["templates"] == ["qwen/summarize.v2"]


@pytest.mark.parametrize(
    ("bullet", "code"),
    [
        (Bullet("Industry output rose 30% to 1.2 million yuan.", ("p2.s1",)), "unsupported_number"),
        (Bullet("Industry output rose twelve percent.", ("p2.s1",)), "unsupported_number"),
        (Bullet("Tong'an held a quality conference.", ()), "no_sources"),
        (Bullet("Tong'an held a quality conference.", ("p1.s1", "p9.s9")), "unknown_source"),
        (Bullet("Tong'an held a 质量 conference.", ("p1.s1",)), "cjk_left"),
        (
            Bullet("Tong'an held a conference on quality" + " and quality" * MAX_WORDS + ".", ("p1.s1",)),
            "too_long",
        ),
        (Bullet("Football fans celebrated a championship victory downtown.", ("p1.s1",)), "unrelated"),
        (Bullet("...", ("p1.s1",)), "empty"),
    ],
)
def test_each_check_catches_its_bad_bullet(bullet: Bullet, code: str) -> None:
    assert problems(bullet) == [(code,)]


def test_a_near_duplicate_is_flagged_on_the_later_bullet_only() -> None:
    first = Bullet("Tong'an held a conference on quality.", ("p1.s1",))
    again = Bullet("Tong'an held the conference on quality!", ("p1.s1",))
    assert problems(first, again, GOOD) == [(), ("near_duplicate",), ()]


def test_the_checks_are_not_the_service_verifier_re_run() -> None:
    """Bullets the service's verifier passes, which the evaluation's checks catch: 'one' is a number
    the verifier ignores as a word, and kana or full-width punctuation are not the Han it looks for."""
    invented_count = Bullet("One conference in Tong'an discussed quality.", ("p1.s1",))
    leftover_script = Bullet("Tong'an held a conference，クオリティ.", ("p1.s1",))
    for bullet in (invented_count, leftover_script):
        assert check_bullet(bullet, DOCUMENT) == []  # the service's verifier: nothing wrong
    scored = score_summary(summary(invented_count, leftover_script), DOCUMENT, REFERENCES, 2)
    assert [b["problems"] for b in scored["bullets"]] == [["unsupported_number"], ["cjk_left"]]
    assert scored["problems"] == {"unsupported_number": 1, "cjk_left": 1}
    assert "One not in its cited sentences" in scored["bullets"][0]["notes"]


def test_problems_are_totalled_and_the_count_is_checked() -> None:
    bad = summary(
        Bullet("Industry output rose 30%.", ("p2.s1",)),
        Bullet("Tong'an held a conference on quality.", ("p9.s9",)),
        Bullet("Tong'an held a conference on quality again.", ()),
    )
    scored = score_summary(bad, DOCUMENT, REFERENCES, 2)
    assert scored["problems"] == {
        "bullet_count": 1,
        "near_duplicate": 1,
        "no_sources": 1,
        "unknown_source": 1,
        "unsupported_number": 1,
    }
    assert scored["bullets_with_problems"] == 3
    assert [b["words"] for b in scored["bullets"]] == [4, 6, 7]


def test_the_document_summarised_carries_the_glossary_report_the_pipeline_made() -> None:
    # Without it, the summariser found "Hithium" in no source and refused the bullets naming the company.
    source = "海辰储能与2家链上企业建立合作关系。"
    output = Output(
        "Hithium Energy Storage set up ties with 2 chain enterprises.",
        (SegmentOutput("p1.s1", source, "Hithium Energy Storage set up ties with 2 chain enterprises."),),
        10,
        1.0,
    )
    document = document_of(output, "zh", {"海辰储能": "Hithium Energy Storage"})
    assert [(t.term, t.rendering, t.applied) for t in document.glossary] == [
        ("海辰储能", "Hithium Energy Storage", True)
    ]
    assert (
        check_bullet(Bullet("Hithium Energy Storage partners with 2 enterprises.", ("p1.s1",)), document)
        == []
    )
    bare = document_of(output, "zh")
    assert check_bullet(Bullet("Hithium Energy Storage partners with 2 enterprises.", ("p1.s1",)), bare) == [
        "unsupported_term"
    ]
