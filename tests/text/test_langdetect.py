from __future__ import annotations

import pytest

from service.text.langdetect import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("厦门同安区质量强区大会在金牌厨柜召开。", "zh"),
        ("廈門同安區質量強區大會在金牌廚櫃召開。", "zh"),
        ("これは日本語の文章です。", "ja"),
        ("서울에서 회의가 열렸다.", "ko"),
        ("Правительство объявило о новых мерах поддержки.", "ru"),
        ("Le gouvernement a annoncé de nouvelles mesures de soutien.", "fr"),
        ("El gobierno anunció nuevas medidas de apoyo a la industria.", "es"),
        ("The government announced new support measures.", "en"),
    ],
)
def test_detects_common_sources(text: str, language: str) -> None:
    detection = detect_language(text)
    assert detection is not None
    assert detection.language == language
    assert 0 < detection.confidence <= 1


def test_nothing_readable_gives_none() -> None:
    assert detect_language("123 456 — 7.8%") is None
