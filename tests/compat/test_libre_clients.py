"""The LibreTranslate client packages, unchanged, against `gazette serve` on the tiny model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from deep_translator import LibreTranslator
from deep_translator.exceptions import AuthorizationException
from libretranslatepy import LibreTranslateAPI

from tests.serving import serving

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
    download = httpx.get(response.json()["translatedFileUrl"])
    assert download.status_code == 200, download.text
    expected = served_translation(server, TEXT)
    assert download.text == f"{expected}\n\n{expected}\n"
