"""Issue 29 through the real clients: the standard's opening, four lines at a time, against `gazette serve`
on the tiny model. Every line is answered, its codes and Latin parts whole; the English line comes back as
it is (DeepL: detected EN; LibreTranslate: translated to itself)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import deepl
import pytest
from deep_translator import LibreTranslator
from libretranslatepy import LibreTranslateAPI

from service.text.latin import latin_runs
from tests.api.test_mixed_requests import ENGLISH_LINE, STANDARD
from tests.serving import serving

KEY = "secret"


@pytest.fixture(scope="module")
def server(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tiny_marian_dir, tmp_path_factory.mktemp("cache"), api_keys=KEY, num_beams="1") as (base, _):
        yield base


def _whole(text: str, translation: str) -> None:
    assert translation, text
    for run in latin_runs(text):
        assert run in translation, (run, translation)


def test_deepl_client_four_lines_at_a_time(server: str) -> None:
    translator = deepl.Translator(KEY, server_url=server)
    for start in range(0, len(STANDARD), 4):
        batch = STANDARD[start : start + 4]
        results = translator.translate_text(batch, target_lang="EN-US")
        assert len(results) == len(batch)
        for text, result in zip(batch, results, strict=True):
            _whole(text, result.text)
            if text == ENGLISH_LINE:
                assert (result.text, result.detected_source_lang) == (text, "EN")
            else:
                assert result.detected_source_lang == "ZH", text


def test_libretranslate_clients_line_by_line_and_four_lines_in_one(server: str) -> None:
    api = LibreTranslateAPI(server + "/", api_key=KEY)
    batch = "\n".join(STANDARD[:4])
    translated = api.translate(batch, source="auto", target="en", timeout=60)
    assert len(translated.split("\n")) == 4  # no line lost
    for text in STANDARD:
        one = LibreTranslator(source="auto", target="en", custom_url=server + "/", api_key=KEY).translate(
            text
        )
        _whole(text, one)
        if text == ENGLISH_LINE:
            assert one == text
