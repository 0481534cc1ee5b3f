"""`/v2/glossaries` as DeepL answers it: made from TSV or CSV, listed, read, its entries as TSV, deleted;
stored in the jobs' SQLite file (so it outlives the server); and applied when a translation names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deepl.util import parse_timestamp
from fastapi.testclient import TestClient

from tests.api.conftest import running_app
from tests.compat.conftest import deepl_message, settings_for

KEY = {"Authorization": "DeepL-Auth-Key any-key"}
ENTRIES = "国务院\tthe State Council of China\n召开\tconvened\n"


def create(client: TestClient, entries: str = ENTRIES, **fields: str) -> dict[str, Any]:
    body = {"name": "news", "source_lang": "ZH", "target_lang": "EN", "entries": entries, **fields}
    response = client.post("/v2/glossaries", json=body, headers=KEY)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def test_create_list_get_entries_delete(client: TestClient) -> None:
    made = create(client)
    assert set(made) == {
        "glossary_id",
        "name",
        "ready",
        "source_lang",
        "target_lang",
        "creation_time",
        "entry_count",
    }
    assert (made["name"], made["ready"], made["entry_count"]) == ("news", True, 2)
    assert (made["source_lang"], made["target_lang"]) == ("zh", "en")
    parse_timestamp(made["creation_time"])  # as the official client reads it (%f)
    glossary_id = made["glossary_id"]
    listed = client.get("/v2/glossaries", headers=KEY).json()["glossaries"]
    assert made in listed
    assert client.get(f"/v2/glossaries/{glossary_id}", headers=KEY).json() == made
    entries = client.get(
        f"/v2/glossaries/{glossary_id}/entries", headers={**KEY, "Accept": "text/tab-separated-values"}
    )
    assert entries.headers["content-type"].startswith("text/tab-separated-values")
    assert entries.text == ENTRIES
    deleted = client.delete(f"/v2/glossaries/{glossary_id}", headers=KEY)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (
        deepl_message(client.get(f"/v2/glossaries/{glossary_id}", headers=KEY), 404) == "Glossary not found"
    )
    assert (
        deepl_message(client.get(f"/v2/glossaries/{glossary_id}/entries", headers=KEY), 404)
        == "Glossary not found"
    )
    assert (
        deepl_message(client.delete(f"/v2/glossaries/{glossary_id}", headers=KEY), 404)
        == "Glossary not found"
    )
    assert made not in client.get("/v2/glossaries", headers=KEY).json()["glossaries"]


def test_csv_form_and_regional_codes(client: TestClient) -> None:
    csv = '国务院,"State Council, the",zh,en\n\n召开,convened\n'
    body = {
        "name": "csv",
        "source_lang": "ZH-HANT",
        "target_lang": "EN-US",
        "entries": csv,
        "entries_format": "csv",
    }
    made = client.post("/v2/glossaries", data=body, headers=KEY)
    assert made.status_code == 201, made.text
    assert (made.json()["source_lang"], made.json()["entry_count"]) == ("zh", 2)
    entries = client.get(f"/v2/glossaries/{made.json()['glossary_id']}/entries", headers=KEY).text
    assert entries == "国务院\tState Council, the\n召开\tconvened\n"


def test_glossary_errors(client: TestClient) -> None:
    base = {"name": "g", "source_lang": "ZH", "target_lang": "EN", "entries": ENTRIES}
    cases = [
        ({**base, "name": ""}, "Parameter 'name' not specified."),
        ({**base, "entries": ""}, "Parameter 'entries' not specified."),
        ({**base, "target_lang": "DE"}, "Unsupported glossary source and target language pair."),
        ({**base, "source_lang": "EN"}, "Unsupported glossary source and target language pair."),
        ({**base, "entries_format": "xlsx"}, "Value for 'entries_format' not supported."),
        (
            {**base, "entries": "一\tone\n一\tuno\n"},
            "Invalid glossary entries provided: line 2: the source term '一' is there twice",
        ),
        (
            {**base, "entries": "一 one\n"},
            "Invalid glossary entries provided: line 1: an entry is a source term and a target term",
        ),
        ({**base, "entries": "一\t\n"}, "Invalid glossary entries provided: line 1: a term is empty"),
        ({**base, "entries": "\n\n"}, "Invalid glossary entries provided: there are none"),
        (
            {**base, "entries": "一,one,ja,en\n", "entries_format": "csv"},
            "Invalid glossary entries provided: line 1: its languages are not the glossary's",
        ),
    ]
    for body, message in cases:
        assert deepl_message(client.post("/v2/glossaries", json=body, headers=KEY), 400) == message
    made = create(client)
    as_json = client.get(
        f"/v2/glossaries/{made['glossary_id']}/entries", headers={**KEY, "Accept": "application/json"}
    )
    assert deepl_message(as_json, 415).startswith("Unsupported Media Type")


def test_a_translation_naming_a_glossary_uses_its_renderings(marked: TestClient) -> None:
    """The seq2seq model copies the placeholders through; they become the glossary's renderings, over the
    built-in ones (国务院 is State Council there)."""
    glossary_id = create(marked)["glossary_id"]
    body = {
        "text": ["国务院召开会议。"],
        "source_lang": "ZH",
        "target_lang": "EN-GB",
        "glossary_id": glossary_id,
    }
    answer = marked.post("/v2/translate", json=body, headers=KEY).json()
    assert answer["translations"][0]["text"] == "EN:the State Council of Chinaconvened会议。"
    japanese = marked.post("/v2/translate", json={**body, "source_lang": "JA"}, headers=KEY)
    assert deepl_message(japanese, 400) == "The glossary's language pair does not match the request's"


def test_glossaries_outlive_the_server(tiny_marian_dir: Path, tmp_path: Path) -> None:
    settings = settings_for(tiny_marian_dir, tmp_path, db=tmp_path / "gazette.sqlite3")
    with running_app(settings, run_jobs=False) as first:
        made = create(first)
    with running_app(settings, run_jobs=False) as again:
        assert again.get(f"/v2/glossaries/{made['glossary_id']}", headers=KEY).json() == made
        assert again.get(f"/v2/glossaries/{made['glossary_id']}/entries", headers=KEY).text == ENTRIES
