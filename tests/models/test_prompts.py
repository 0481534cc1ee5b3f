from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from service.models.backend import ModelUnavailable, Source
from service.models.prompts import (
    PromptSet,
    all_templates,
    default_prompts_dir,
    load_family,
    load_prompt,
    load_template,
    strip_chatter,
)


def test_the_qwen_translate_prompt_carries_text_language_and_glossary() -> None:
    template = load_prompt(default_prompts_dir(), "qwen", "translate")
    assert template.name == "qwen/translate.v6"
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


def test_each_sentences_terms_and_the_sentence_come_after_the_head_every_sentence_shares() -> None:
    """v5: the instructions first (evaluated once), then a sentence's own terms, then the sentence."""
    template = load_prompt(default_prompts_dir(), "qwen", "translate")
    first, second = (
        template.messages(Source(text, "zh", glossary=own))[1]["content"]
        for text, own in (("周桂良参加会议。", (("周桂良", "Zhou Guiliang"),)), ("会议召开。", ()))
    )
    assert first.endswith("for the terms below:\n- 周桂良 = Zhou Guiliang\n\n周桂良参加会议。")
    head = second.removesuffix("\n会议召开。")
    assert first.startswith(head) and "Zhou Guiliang" not in head


def test_the_document_glossary_is_in_the_head_every_sentence_shares_and_the_sentence_last() -> None:
    """v4: what precedes the sentence is the same for every sentence of a document: evaluated once."""
    template = load_template(default_prompts_dir(), "qwen/translate.v4")
    shared = (("周桂良", "Zhou Guiliang"), ("厦门", "Xiamen"))
    first, second = (
        template.messages(Source(text, "zh", glossary=own, document_glossary=shared))[1]["content"]
        for text, own in (("周桂良参加会议。", shared[:1]), ("会议在厦门召开。", shared[1:]))
    )
    head = first.removesuffix("周桂良参加会议。")
    assert second == head + "会议在厦门召开。"
    assert "周桂良 = Zhou Guiliang" in head and "厦门 = Xiamen" in head


def test_every_template_renders_both_of_its_prompts() -> None:
    templates = all_templates(default_prompts_dir())
    assert {
        "qwen/translate.v1",
        "qwen/translate.v3",
        "qwen/translate.v4",
        "qwen/translate.v5",
        "qwen/translate.v6",
        "qwen/summarize.v1",
        "qwen/summarize.v2",
        "qwen/summarize.v3",
    } <= {t.name for t in templates}
    sources = [
        Source("周桂良参加会议。", "zh", glossary=(("周桂良", "Zhou Guiliang"),)),
        Source("强国", "zh", context="建设质量强国。"),
        Source("Output grew 24.5% this year.", "en", task="summarize"),
    ]
    for template in templates:
        for source in sources:
            for strict in (False, True):
                system, user = template.messages(replace(source, strict=strict, leftover=("25",)))
                assert system["content"] and source.text in user["content"], template.name
                assert "{{" not in user["content"] and "{%" not in user["content"]


def test_a_follow_up_is_the_next_turn_of_its_conversation() -> None:
    """translate.v6 asks a fragment after the exchange that left it, listing only the terms it overlaps;
    a template without `followup_user` asks it on its own."""
    sentence = Source(
        "周桂良参加质量强区大会。",
        "zh",
        glossary=(("周桂良", "Zhou Guiliang"), ("质量强区", "quality-strong district")),
    )
    fragment = Source(
        "强区",
        "zh",
        context=sentence.text,
        glossary=sentence.glossary,
        follows=(sentence, "Zhou Guiliang attended the 强区 meeting."),
    )
    template = load_template(default_prompts_dir(), "qwen/translate.v6")
    messages = template.messages(fragment)
    assert messages[:2] == template.messages(sentence)
    assert messages[2] == {"role": "assistant", "content": "Zhou Guiliang attended the 强区 meeting."}
    question = messages[3]["content"]
    assert messages[3]["role"] == "user" and '"强区"' in question
    assert "质量强区 = quality-strong district" in question and "Zhou Guiliang" not in question
    older = load_template(default_prompts_dir(), "qwen/translate.v5").messages(fragment)
    assert len(older) == 2 and sentence.text in older[1]["content"]


def test_the_summary_prompt_asks_for_one_short_bullet_and_names_rejected_numbers() -> None:
    template = load_template(default_prompts_dir(), "qwen/summarize")
    assert template.name == "qwen/summarize.v3" and template.stop == ("\n",)
    source = Source("Output grew 24.5% this year.", "en", task="summarize")
    user = template.messages(source)[1]["content"]
    assert "25 words" in user and user.endswith("Text: Output grew 24.5% this year.\nBullet:")
    strict = template.messages(replace(source, strict=True, leftover=("25.4", "blockchain")))[1]["content"]
    assert "20 words" in strict and "does not support: 25.4, blockchain" in strict
    assert template.cut_at_stop("\n- Output grew 24.5%.\n- Another bullet") == "- Output grew 24.5%."
    # v3: the rewrite is the next turn after the refused bullet, naming what it was refused for.
    first = "Output grew 25.4% on blockchain."
    rewrite = replace(source, strict=True, leftover=("25.4", "blockchain"), follows=(source, first))
    messages = template.messages(rewrite)
    assert messages[:2] == template.messages(source)
    assert messages[2] == {"role": "assistant", "content": first}
    assert (
        "does not support: 25.4, blockchain" in messages[3]["content"]
        and "20 words" in messages[3]["content"]
    )


def test_templates_load_by_name_and_version(tmp_path: Path) -> None:
    (tmp_path / "fam").mkdir()
    for version in (1, 2):
        (tmp_path / "fam" / f"summarize.v{version}.toml").write_text(
            f'version = {version}\ntask = "summarize"\nfamily = "fam"\nstop = ["END"]\n'
            f'system = "v{version}"\nuser = "{{{{ text }}}}"\n'
        )
    assert load_template(tmp_path, "fam/summarize").version == 2
    assert load_template(tmp_path, "fam/summarize.v1").system == "v1"
    with pytest.raises(ModelUnavailable):
        load_template(tmp_path, "fam/summarize.v3")
    (tmp_path / "fam" / "summarize.v3.toml").write_text('version = 2\nsystem = "x"\nuser = "y"\n')
    with pytest.raises(ModelUnavailable, match="declares"):
        load_template(tmp_path, "fam/summarize")


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
        ("Here is the bullet point:\n- Output grew 24.5%.", "- Output grew 24.5%."),
        ("Summary: Output grew 24.5%.", "Output grew 24.5%."),
        # Seen on WMT newstest2019 with qwen-pypi: a remark instead of a translation is no answer.
        ("The Chinese text is already in English.", ""),
        ("This sentence appears to be already in English.", ""),
        (
            "The meeting said the text is already in English.",
            "The meeting said the text is already in English.",
        ),
        # Seen on WMT newstest2019 line 58: the source quoted back before the answer.
        (
            'The Chinese text "丸红则表示，贸易战冲击旗下美国谷物部门高鸿" translates to:\n\n"Marubeni said the trade war hit."',
            "Marubeni said the trade war hit.",
        ),
        ("This sentence can be translated into English as: The meeting was held.", "The meeting was held."),
        ("The text translates well in context.", "The text translates well in context."),
    ],
)
def test_chatter_is_stripped(raw: str, clean: str) -> None:
    assert strip_chatter(raw) == clean


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        # Seen on WMT newstest2019 with qwen-pypi: the instruction after the answer, or instead of it.
        (
            "When people can only say lies, democracy cannot work. Reply with the English translation only.",
            "When people can only say lies, democracy cannot work.",
        ),
        ("Reply with the English translation only.", ""),
        (
            "Translate the following Chinese text into English.\nThe meeting was held.",
            "The meeting was held.",
        ),
        ("Reply only.", "Reply only."),  # too short to be told from an answer
    ],
)
def test_echoed_instructions_are_removed(raw: str, answer: str) -> None:
    prompts = PromptSet(load_family(default_prompts_dir(), "qwen"))
    assert prompts.answer(raw, Source("民主就无法奏效。", "zh")) == answer


def test_examples_come_as_earlier_turns_of_a_first_attempt_only() -> None:
    """Examples from the memory are shown as the conversation so far: each asked as a sentence is, then
    answered; a retry or a fragment's question is asked without them."""
    template = load_prompt(default_prompts_dir(), "qwen", "translate")
    examples = (("同安区召开大会。", "Tong'an held a conference."), ("区长出席。", "The head attended."))
    source = Source("周桂良参加会议。", "zh", examples=examples)
    messages = template.messages(source)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[1]["content"] == template.messages(Source("同安区召开大会。", "zh"))[1]["content"]
    assert [messages[2]["content"], messages[4]["content"]] == [
        "Tong'an held a conference.",
        "The head attended.",
    ]
    assert messages[-1] == template.messages(Source("周桂良参加会议。", "zh"))[-1]
    for other in (replace(source, strict=True), replace(source, context="周桂良参加会议并讲话。")):
        assert [m["role"] for m in template.messages(other)] == ["system", "user"]
    # What the model echoes of the instructions is still found after examples.
    echoed = "He attended. Reply with the English translation only."
    assert template.without_echoes(echoed, source) == "He attended."


def test_an_answer_that_is_a_clause_of_the_question_is_no_answer() -> None:
    """Asked for 益同远行's English "(…), a few words", qwen-pypi answered "a few words" (the seed, p8.s2)."""
    sentence = Source("同安区以“质同道合 益同远行”为主题。", "zh")
    fragment = Source(
        "益同远行", "zh", context=sentence.text, follows=(sentence, "Tong'an's theme is 益同远行.")
    )
    prompts = PromptSet(load_template(default_prompts_dir(), "qwen/translate.v6"))
    assert prompts.answer("a few words", fragment) == ""
    assert prompts.answer("A few words.", fragment) == ""
    assert prompts.answer("going far together", fragment) == "going far together"
