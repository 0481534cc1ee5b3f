"""Choosing salient sentences: sections at heads, centrality, position, numbers, no repeats."""

from __future__ import annotations

from service.pipeline.salience import centrality, choose, number_density, sections, tfidf
from service.pipeline.types import TranslatedDocument, TranslatedSegment


def _segment(segment_id: str, source: str, translation: str) -> TranslatedSegment:
    paragraph = int(segment_id[1 : segment_id.index(".")])
    return TranslatedSegment(segment_id, paragraph, source, source, translation)


DOCUMENT = TranslatedDocument(
    "zh",
    0.99,
    "",
    (
        _segment(
            "p1.s1",
            "9月29日，同安区质量强区大会召开。",
            "On September 29, Tong'an District held its quality conference at Goldenhome Cabinets.",
        ),
        _segment(
            "p1.s2",
            "区长周桂良参加会议。",
            "District mayor Zhou Guiliang and the city's market regulation director attended the quality conference.",
        ),
        _segment("p2.s1", "追求“质量” 打造卓越品牌典范", "Pursuing quality, building brands"),
        _segment(
            "p3.s1",
            "新兴产业占比近50%，高技术产业增长24.5%。",
            "Emerging industries reached nearly 50% of industry, and high-tech industry grew 24.5%.",
        ),
        _segment(
            "p3.s2",
            "全区将继续努力。",
            "The district will keep working on quality development in every industry.",
        ),
        _segment("p4.s1", "提升“质量” 夯实区域发展基石", "Raising quality"),
        _segment(
            "p5.s1",
            "方案明确4项目标、11个项目、18项举措。",
            "The plan sets 4 goals, 11 key projects and 18 measures for quality in the district.",
        ),
        _segment(
            "p5.s2",
            "企业分享了经验。",
            "Enterprises of the district shared their experience of quality management and brands.",
        ),
    ),
)


def test_section_heads_split_the_document_and_are_left_out() -> None:
    assert sections(DOCUMENT) == [[0, 1], [3, 4], [6, 7]]


def test_centrality_favours_the_sentence_that_shares_most() -> None:
    texts = [
        "quality district conference",
        "quality district brand",
        "quality conference brand",
        "weather report",
    ]
    ranks = centrality(tfidf(texts))
    assert max(ranks) == 1.0
    assert ranks[3] < min(ranks[:3])


def test_the_lead_and_the_figures_are_chosen_in_document_order() -> None:
    chosen = choose(DOCUMENT, 3)
    anchors = [group[0] for group in chosen]
    assert anchors == sorted(anchors)
    assert {0, 3, 6} <= set(anchors) or len(anchors) == 3
    assert 3 in anchors and 6 in anchors  # the sentences with figures
    assert 2 not in anchors and 5 not in anchors  # heads are never bullets


def test_never_more_groups_than_asked_or_than_sentences() -> None:
    assert choose(DOCUMENT, 0) == []
    assert len(choose(DOCUMENT, 1)) == 1
    many = choose(DOCUMENT, 10)
    anchors = [group[0] for group in many]
    assert len(anchors) == len(set(anchors)) == 6


def test_a_repeated_sentence_is_not_chosen_twice() -> None:
    same = "Tong'an District held its quality conference with 300 enterprises on September 29."
    document = TranslatedDocument(
        "zh",
        None,
        "",
        (
            _segment("p1.s1", "同安区召开大会，300家企业参加。", same),
            _segment("p1.s2", "同安区召开大会，300家企业参加。", same),
            _segment(
                "p2.s1",
                "会上发布了方案。",
                "A plan for quality and brands was released at the meeting by the mayor.",
            ),
        ),
    )
    anchors = [group[0] for group in choose(document, 2)]
    assert anchors in ([0, 2], [1, 2])


def test_a_head_is_known_by_its_cleaned_text_not_its_scraped_ruby() -> None:
    head = TranslatedSegment(
        "p2.s1",
        2,
        "點(diǎn)亮“質(zhì)量” 弘揚(yáng)質(zhì)量強(qiáng)區(qū)精神",
        "点亮“质量” 弘扬质量强区精神",
        "Light up quality",
    )
    body = _segment("p3.s1", "会议召开。", "The meeting was held in the district.")
    document = TranslatedDocument("zh", None, "", (DOCUMENT.segments[0], head, body))
    assert sections(document) == [[0], [2]]


def test_quantities_weigh_more_than_counts_and_dates() -> None:
    assert number_density(_segment("p1.s1", "近50%，增长24.5%。", "")) == 1.0
    assert number_density(_segment("p1.s1", "“4+4+1”产业布局。", "")) == 0.75
    assert number_density(_segment("p1.s1", "会议召开。", "")) == 0.0


def test_a_document_of_short_lines_only_is_all_body() -> None:
    lines = TranslatedDocument(
        "zh", None, "", (_segment("p1.s1", "同安区召开大会", "Tong'an holds a conference"),)
    )
    assert sections(lines) == [[0]]
    assert choose(lines, 3) == [(0,)]
