"""DeepL's official client (`deepl`), unchanged, against `gazette serve` on the tiny model; and the seed with
its glossary through the same client, against the app on the marked model (whose output shows the
glossary's renderings, where the tiny model's noise would not)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import deepl
import docx
import httpx
import pytest

from service.gazette import Gazette
from service.pipeline.prepare import cleaned_text
from service.server import create_app
from service.text.normalize import to_simplified
from tests.compat.conftest import Marked, settings_for
from tests.serving import serving, serving_app

KEY = "secret"
TEXT = "国务院召开常务会议。"
QUOTA = 1_000_000


@pytest.fixture(scope="module")
def server(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("cache")
    with serving(tiny_marian_dir, cache, api_keys=KEY, num_beams="1", character_quota=str(QUOTA)) as (
        base,
        _,
    ):
        yield base


@pytest.fixture(scope="module")
def translator(server: str) -> deepl.Translator:
    return deepl.Translator(KEY, server_url=server)


def engine_translation(base: str, text: str, **fields: str) -> str:
    """What the /v1 API answers for the text: what the client must return."""
    body = {"text": text, "source_lang": "zh", **fields}
    response = httpx.post(
        f"{base}/v1/translate", json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=60
    )
    assert response.status_code == 200, response.text
    translation: str = response.json()["documents"][0]["translation"]
    return translation


def test_translate_text_one_and_many(server: str, translator: deepl.Translator) -> None:
    expected = engine_translation(server, TEXT)
    one = translator.translate_text(TEXT, target_lang="EN-GB")
    assert isinstance(one, deepl.TextResult)
    assert (one.text, one.detected_source_lang, one.billed_characters) == (expected, "ZH", len(TEXT))
    many = translator.translate_text([TEXT, "國務院召開常務會議。"], source_lang="ZH", target_lang="EN-US")
    assert isinstance(many, list) and all(isinstance(result, deepl.TextResult) for result in many)
    assert [result.text for result in many] == [expected, expected]
    assert [result.detected_source_lang for result in many] == ["ZH", "ZH"]
    assert [result.billed_characters for result in many] == [len(TEXT), len(TEXT)]


def test_languages(translator: deepl.Translator) -> None:
    sources = {language.code: language for language in translator.get_source_languages()}
    assert {"ZH", "JA", "KO"} <= set(sources) and sources["ZH"].name == "Chinese"
    targets = translator.get_target_languages()
    assert [(t.code, t.name, t.supports_formality) for t in targets] == [
        ("EN-GB", "English (British)", False),
        ("EN-US", "English (American)", False),
    ]


def test_usage_counts_what_this_key_had_translated(translator: deepl.Translator) -> None:
    before = translator.get_usage()
    assert before.character.valid and before.character.limit == QUOTA
    assert before.document.count is None  # only characters are counted
    translator.translate_text(["一二三。", "四五六七。"], source_lang="ZH", target_lang="EN-GB")
    after = translator.get_usage()
    assert after.character.count == (before.character.count or 0) + 9
    assert not after.any_limit_reached


def test_glossaries(server: str, translator: deepl.Translator) -> None:
    entries = {"国务院": "the State Council of China", "常务会议": "executive meeting"}
    made = translator.create_glossary("news", source_lang="ZH", target_lang="EN", entries=entries)
    assert isinstance(made, deepl.GlossaryInfo) and made.ready and made.entry_count == 2
    assert (made.name, made.source_lang, made.target_lang) == ("news", "ZH", "EN")
    assert isinstance(made.creation_time, datetime)
    assert made.glossary_id in {glossary.glossary_id for glossary in translator.list_glossaries()}
    got = translator.get_glossary(made.glossary_id)
    assert (got.name, got.entry_count, got.creation_time) == ("news", 2, made.creation_time)
    assert translator.get_glossary_entries(made) == entries
    # The /v1 API given the same glossary by id makes the same translation: the client's request used it.
    with_glossary = translator.translate_text(TEXT, source_lang="ZH", target_lang="EN-GB", glossary=made)
    assert isinstance(with_glossary, deepl.TextResult)
    assert with_glossary.text == engine_translation(server, TEXT, glossary_id=made.glossary_id)
    from_csv = translator.create_glossary_from_csv("csv", "ZH", "EN", csv_data="国务院,State Council\n")
    assert translator.get_glossary_entries(from_csv) == {"国务院": "State Council"}
    for glossary in (made, from_csv):
        translator.delete_glossary(glossary)
        with pytest.raises(deepl.GlossaryNotFoundException):
            translator.get_glossary(glossary.glossary_id)


def test_translate_document_docx(translator: deepl.Translator, tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("国务院常务会议", level=1)
    for number in range(3):
        document.add_paragraph(f"会议讨论了第{number}项议题。")
    source, target = tmp_path / "notice.docx", tmp_path / "notice.en.docx"
    document.save(str(source))
    with source.open("rb") as upload, target.open("wb") as download:
        status = translator.translate_document(upload, download, source_lang="ZH", target_lang="EN-US")
    assert status.done and status.ok and status.billed_characters
    translated = docx.Document(str(target))
    assert len(translated.paragraphs) == 4
    assert translated.paragraphs[0].style is not None and translated.paragraphs[0].style.name == "Heading 1"


def test_a_wrong_key_is_an_authorization_error(server: str) -> None:
    with pytest.raises(deepl.AuthorizationException):
        deepl.Translator("wrong", server_url=server).translate_text(TEXT, target_lang="EN-GB")


@pytest.fixture(scope="module")
def marked_server(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = settings_for(tiny_marian_dir, tmp_path_factory.mktemp("cache"))
    with serving_app(create_app(settings, Gazette(settings, wrap_backend=Marked, run_jobs=True))) as base:
        yield base


def test_the_seed_through_the_client_with_its_glossary(
    marked_server: str, eval_dir: Path, seed_text: str
) -> None:
    """The seed's glossary, made and named through the client, renders the seed's terms: the client's text
    is the /v1 translation with that glossary, and holds the rendering of every term the engine applied.

    Not quite every term of the glossary that the seed holds: matching takes the longest term at each
    position from the left, so 区委副书记 in 同安区委副书记 is not found once 同安区 is."""
    rows = csv.DictReader(
        io.StringIO((eval_dir / "seed" / "glossary.tsv").read_text(encoding="utf-8")), delimiter="\t"
    )
    entries = {row["zh"]: row["en"] for row in rows}
    translator = deepl.Translator("any-key", server_url=marked_server)
    glossary = translator.create_glossary("seed", "ZH", "EN", entries)
    result = translator.translate_text(seed_text, source_lang="ZH", target_lang="EN-GB", glossary=glossary)
    assert isinstance(result, deepl.TextResult)
    assert result.detected_source_lang == "ZH" and result.billed_characters == len(seed_text)
    body = {"text": seed_text, "source_lang": "zh", "glossary_id": glossary.glossary_id}
    document = httpx.post(f"{marked_server}/v1/translate", json=body, timeout=120).json()["documents"][0]
    assert result.text == document["translation"]
    report = [term for term in document["glossary"] if term["origin"] == "request"]
    assert {term["term"]: term["rendering"] for term in report}.items() <= entries.items()
    applied = {term["term"]: term["rendering"] for term in report if term["applied"]}
    held = [term for term in entries if term in to_simplified(cleaned_text(seed_text))]
    assert len(applied) >= len(held) - 1 >= 17, (applied, held)
    assert [rendering for rendering in applied.values() if rendering not in result.text] == []
