"""The LibreTranslate client packages, unchanged, against `gazette serve` on the tiny model; and the seed
through both with its glossary, which LibreTranslate's API has no field for: the service is configured
with it (GAZETTE_GLOSSARY), on the marked model (whose output shows the renderings it was given)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from deep_translator import LibreTranslator
from deep_translator.exceptions import AuthorizationException
from libretranslatepy import LibreTranslateAPI

from service.gazette import Gazette
from service.glossary import read_glossary_file
from service.pipeline.prepare import cleaned_text
from service.server import create_app
from service.text.normalize import to_simplified
from tests.compat.conftest import Marked, settings_for
from tests.serving import serving, serving_app

KEY = "secret"
TEXT = "国务院召开常务会议。"


@pytest.fixture(scope="module")
def server(tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("cache")
    with serving(tiny_marian_dir, cache, api_keys=KEY, num_beams="1") as (base, _):
        yield base


def served_translation(base: str, text: str) -> str:
    """What the server answers a plain JSON request with: what each client must return."""
    response = httpx.post(
        f"{base}/translate", json={"q": text, "source": "zh", "target": "en", "api_key": KEY}
    )
    assert response.status_code == 200, response.text
    translation: str = response.json()["translatedText"]
    return translation


def test_libretranslatepy(server: str) -> None:
    api = LibreTranslateAPI(server + "/", api_key=KEY)
    translated = api.translate(TEXT, source="zh", target="en", timeout=60)
    assert isinstance(translated, str) and translated
    assert translated == served_translation(server, TEXT)
    assert api.translate("國務院召開常務會議。", source="zt", target="en", timeout=60) == translated
    assert api.detect(TEXT) == [{"confidence": 100.0, "language": "zh"}]
    codes = {language["code"] for language in api.languages()}  # a GET with a form body
    assert {"en", "zh", "zt"} <= codes


def test_deep_translator(server: str) -> None:
    translator = LibreTranslator(source="zh", target="en", custom_url=server + "/", api_key=KEY)
    expected = served_translation(server, TEXT)
    assert translator.translate(TEXT) == expected
    assert translator.translate_batch([TEXT, TEXT]) == [expected, expected]
    detecting = LibreTranslator(source="auto", target="en", custom_url=server + "/", api_key=KEY)
    assert detecting.translate(TEXT) == expected
    with pytest.raises(AuthorizationException):
        LibreTranslator(source="zh", target="en", custom_url=server + "/", api_key="wrong").translate(TEXT)


def test_a_file_over_http(server: str) -> None:
    """The job runner of the serving process does the work; the answer comes once it has."""
    upload = {"file": ("notice.txt", f"{TEXT}\n\n{TEXT}\n".encode())}
    response = httpx.post(
        f"{server}/translate_file",
        data={"source": "zh", "target": "en", "api_key": KEY},
        files=upload,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    url = response.json()["translatedFileUrl"]
    assert httpx.get(url).status_code == 403  # the server has keys: the file is its uploader's only
    download = httpx.get(url, params={"api_key": KEY})
    assert download.status_code == 200, download.text
    expected = served_translation(server, TEXT)
    assert download.text == f"{expected}\n\n{expected}\n"


@pytest.fixture(scope="module")
def seed_server(
    tiny_marian_dir: Path, tmp_path_factory: pytest.TempPathFactory, eval_dir: Path
) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("cache")
    glossary = eval_dir / "seed" / "glossary.tsv"
    settings = settings_for(tiny_marian_dir, cache, glossary=glossary, api_keys=[KEY])
    with serving_app(create_app(settings, Gazette(settings, wrap_backend=Marked, run_jobs=True))) as base:
        yield base


def test_the_seed_through_both_clients_with_the_configured_glossary(
    seed_server: str, eval_dir: Path, seed_text: str
) -> None:
    entries = read_glossary_file(eval_dir / "seed" / "glossary.tsv")
    through_libretranslatepy = LibreTranslateAPI(seed_server + "/", api_key=KEY).translate(
        seed_text, source="zh", target="en", timeout=120
    )
    through_deep_translator = LibreTranslator(
        source="auto", target="en", custom_url=seed_server + "/", api_key=KEY
    ).translate(seed_text)
    body = {"text": seed_text, "source_lang": "zh"}
    answer = httpx.post(f"{seed_server}/v1/translate", json=body, headers={"X-API-Key": KEY}, timeout=120)
    document = answer.json()["documents"][0]
    assert through_libretranslatepy == through_deep_translator  # paragraph for paragraph, as /v1 has it
    assert through_libretranslatepy.split("\n") == document["translation"].split("\n")
    report = {term["term"]: term for term in document["glossary"] if term["origin"] == "configured"}
    held = [term for term in entries if term in to_simplified(cleaned_text(seed_text))]
    # Longest match from the left: 区委副书记 is not found inside 同安区委副书记 once 同安区 is.
    assert len(report) >= len(held) - 1 >= 17, (sorted(report), held)
    assert all(term["applied"] for term in report.values()), report
    assert [term for term in report if entries[term] not in through_libretranslatepy] == []
