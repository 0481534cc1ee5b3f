from __future__ import annotations

from service.pipeline.repair import patch, usable_rendering


def test_patching_puts_english_in_place_with_sane_spacing() -> None:
    output, replaced = patch(
        "strategic新兴产业 grew; the “storage battery产业链供应链”, and 百强.",
        {"新兴产业": "emerging industries", "产业链供应链": "industrial and supply chain"},
    )
    assert (
        output
        == "strategic emerging industries grew; the “storage battery industrial and supply chain”, and 百强."
    )
    assert replaced == ["新兴产业", "产业链供应链"]


def test_unusable_renderings_are_refused() -> None:
    assert usable_rendering("新兴产业", ' "Emerging industries." ') == "Emerging industries"
    assert usable_rendering("新兴产业", "新兴 industries") is None
    assert usable_rendering("新兴产业", "") is None
    assert usable_rendering("新兴产业", "?") is None
    assert (
        usable_rendering(
            "百强", "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        )
        is None
    )
