"""`/docs` describes the bodies of the LibreTranslate and DeepL routes too (they read their own fields)."""

from __future__ import annotations

from pathlib import Path

from service.server import create_app
from service.settings import Settings


def test_the_compatible_routes_show_their_fields(tmp_path: Path) -> None:
    document = create_app(Settings(profile="tiny", model_cache=tmp_path)).openapi()

    def fields(path: str, media: str) -> set[str]:
        body = document["paths"][path]["post"]["requestBody"]["content"][media]["schema"]
        return set(body["properties"])

    assert {"q", "source", "target", "format", "api_key"} <= fields("/translate", "application/json")
    assert {"file", "source", "api_key"} <= fields("/translate_file", "multipart/form-data")
    assert {"text", "target_lang", "glossary_id"} <= fields(
        "/v2/translate", "application/x-www-form-urlencoded"
    )
    assert {"name", "entries", "entries_format"} <= fields("/v2/glossaries", "application/json")
    assert {"file", "target_lang", "glossary_id"} <= fields("/v2/document", "multipart/form-data")
    assert fields("/v2/document/{document_id}/result", "application/json") == {"document_key"}
