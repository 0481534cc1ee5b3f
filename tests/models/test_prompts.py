from __future__ import annotations

from pathlib import Path

import pytest

from service.models.backend import ModelUnavailable, Source
from service.models.prompts import default_prompts_dir, load_prompt, strip_chatter


def test_the_qwen_translate_prompt_carries_text_language_and_glossary() -> None:
    template = load_prompt(default_prompts_dir(), "qwen", "translate")
    assert template.name == "qwen/translate.v1"
    system, user = template.messages(
        Source("周桂良参加会议。", "zh", glossary=(("周桂良", "Zhou Guiliang"),))
    )
    assert system["role"] == "system" and "translator" in system["content"]
    assert "Chinese" in user["content"] and user["content"].endswith("周桂良参加会议。")
    assert "周桂良 = Zhou Guiliang" in user["content"]
    strict = template.messages(Source("周桂良参加会议。", "zh", strict=True))[1]["content"]
    assert "no Chinese characters" in strict and "=" not in strict and "previous attempt" not in strict
    leftover = template.messages(Source("预制菜两条新赛道。", "zh", strict=True, leftover=("预制菜", "赛道")))
    assert (
        "left these parts in Chinese; translate them into English too: 预制菜, 赛道" in leftover[1]["content"]
    )
    context = Source(
        "强国", "zh", glossary=(("质量强国", "quality-strong country"),), context="建设质量强国。"
    )
    fragment = template.messages(context)[1]["content"]
    assert fragment.startswith('In the Chinese sentence "建设质量强国。", what is the English for "强国"?')
    assert "质量强国 = quality-strong country" in fragment
    assert fragment.endswith("not the whole sentence.")
    assert "sentence" not in user["content"]


def test_the_highest_version_wins(tmp_path: Path) -> None:
    (tmp_path / "fam").mkdir()
    for version in (1, 2, 10):
        (tmp_path / "fam" / f"translate.v{version}.toml").write_text(
            f'system = "v{version}"\nuser = "{{{{ text }}}}"\n'
        )
    template = load_prompt(tmp_path, "fam", "translate")
    assert (template.version, template.system) == (10, "v10")
    with pytest.raises(ModelUnavailable):
        load_prompt(tmp_path, "fam", "summarize")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Here is the translation: The meeting was held.", "The meeting was held."),
        ("Sure! Here's the English translation:\n\nThe meeting was held.", "The meeting was held."),
        ("Translation: The meeting was held.", "The meeting was held."),
        ('"The meeting was held."', "The meeting was held."),
        ("“The meeting was held.”", "The meeting was held."),
        ("```\nThe meeting was held.\n```", "The meeting was held."),
        ("The meeting was held.\n\nNote: 同安 is a district.", "The meeting was held."),
        ('He said "yes" and "no".', 'He said "yes" and "no".'),
    ],
)
def test_chatter_is_stripped(raw: str, clean: str) -> None:
    assert strip_chatter(raw) == clean
