"""A bullet's names and specific words, judged from its cited sentences' Chinese (service/pipeline/support.py)."""

from __future__ import annotations

import json
from pathlib import Path

from service.glossary import build_glossary, read_glossary_file
from service.pipeline.support import unsupported_terms
from service.pipeline.types import TranslatedSegment
from service.text.normalize import clean, to_simplified

HITHIUM = "海辰储能与2家链上企业，建立“中小企业计量伙伴”合作关系。"
TERMS = [("海辰储能", "Hithium Energy Storage")]


def segment(source: str, english: str) -> TranslatedSegment:
    return TranslatedSegment("p1.s1", 1, source, source, english)


def test_a_word_the_sources_english_has_but_its_chinese_cannot_mean_is_unsupported() -> None:
    cited = [segment(HITHIUM, "Hithium Energy Storage partners with 2 blockchain enterprises.")]
    assert unsupported_terms(
        "Hithium Energy Storage partners with blockchain enterprises.", cited, TERMS
    ) == ["blockchain"]
    paraphrase = "Hithium Energy Storage set up an SME metrology partnership with 2 chain enterprises."
    assert unsupported_terms(paraphrase, cited, TERMS) == []


def test_names_need_their_glossary_entry_or_the_pinyin_of_their_characters() -> None:
    cited = [segment(HITHIUM, "")]
    assert unsupported_terms("Hithium Energy Storage signed.", cited, []) == ["Hithium"]
    cited = [segment("9月29日，区长周桂良在同安区出席会议。", "")]
    assert unsupported_terms("On September 29, Zhou Guiliang attended in Tong'an.", cited, []) == []
    assert unsupported_terms("On October 29, Zhou Guiliang met Li Qiang.", cited, []) == [
        "October",
        "Li",
        "Qiang",
    ]


def test_the_seeds_reference_bullets_are_all_supported_by_their_lines(eval_dir: Path) -> None:
    # Written by a person from the source: a check that refused them would refuse good bullets.
    seed = eval_dir / "seed"
    lines = [
        to_simplified(clean(line).text) for line in (seed / "seed.zh-Hant-noisy.txt").read_text().splitlines()
    ]
    glossary = build_glossary(read_glossary_file(seed / "glossary.tsv"), auto_from="\n".join(lines))
    for row in map(json.loads, (seed / "seed.ref-bullets.jsonl").read_text().splitlines()):
        cited = [segment(lines[number - 1], "") for number in row["source_lines"]]
        terms = [(m.entry.term, m.entry.rendering) for s in cited for m in glossary.find(s.normalized)]
        assert unsupported_terms(row["bullet"], cited, terms) == [], row["bullet"]
