"""Requests for the compatible APIs, whose routes read raw bodies (their OpenAPI entries say nothing of
their fields): LibreTranslate's at the root and DeepL's under /v2, with every field they read, fields of the
wrong kind, uploads, and random keys and Authorization headers."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.fuzz.harness import Call
from tests.fuzz.strategies import (
    KEY,
    carried,
    fields_of,
    json_values,
    keys,
    languages,
    mostly,
    path_segment,
    texts,
    uploads,
)

LIBRE_SOURCES = ("auto", "zh", "zt", "zh-Hans", "zh-Hant", "zh-CN", "zh-TW", "ja", "ko", "en", "xx")
DEEPL_SOURCES = ("ZH", "zh", "ZH-HANS", "ZH-HANT", "JA", "KO", "EN", "DE", "")
DEEPL_TARGETS = ("EN", "EN-GB", "en-us", "EN-US", "DE", "ZH", "")
# The fields each DeepL route must have to get past its first check.
_NEEDED = {
    "translate": ("text", "target_lang"),
    "glossaries": ("name", "source_lang", "target_lang", "entries"),
    "document": ("target_lang",),
}


def _with_key(fields: dict[str, Any], key: str | None) -> dict[str, Any]:
    return fields if key is None else {**fields, "api_key": key}


@st.composite
def libre_calls(draw: st.DrawFn, max_chars: int) -> Call:
    q = st.one_of(texts(max_chars), st.lists(texts(max_chars), max_size=10), json_values())
    known = {
        "q": q,
        "source": languages(LIBRE_SOURCES),
        "target": languages(("en", "EN", "zh", "")),
        "format": st.one_of(st.sampled_from(["text", "html", "HTML", "xml", ""]), json_values()),
        "alternatives": st.one_of(st.integers(-3, 5), json_values()),
    }
    route = draw(
        st.sampled_from(["translate", "translate", "detect", "file", "languages", "download", "settings"])
    )
    key = draw(keys())
    if route == "translate":
        fields = draw(fields_of(known, needed=("q", "source", "target")))
        return draw(carried("POST", "/translate", _with_key(fields, key)))
    if route == "detect":
        return draw(carried("POST", "/detect", _with_key(draw(fields_of({"q": q}, needed=("q",))), key)))
    if route == "file":
        languages_only = {name: known[name] for name in ("source", "target")}
        fields = _with_key(draw(fields_of(languages_only, needed=("source", "target"))), key)
        return draw(carried("POST", "/translate_file", fields, files=draw(uploads("file"))))
    if route == "download":
        return draw(carried("GET", f"/download_file/{draw(path_segment())}", {}))
    return draw(
        carried("GET", "/languages" if route == "languages" else "/frontend/settings", draw(fields_of({})))
    )


def authorizations() -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    """Mostly DeepL's header with the right key; else none, another scheme, a wrong key or junk."""
    right = st.sampled_from([f"DeepL-Auth-Key {KEY}", f"deepl-auth-key   {KEY} "])
    wrong = st.one_of(
        st.sampled_from(["DeepL-Auth-Key", "DeepL-Auth-Key wrong", f"Bearer {KEY}", "Basic Og==", ""]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    )
    sent = mostly(right, wrong, in_ten=9).map(lambda text: (("authorization", text),))
    return mostly(sent, st.just(()), in_ten=9)


def _translate_fields(max_chars: int) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "text": st.one_of(texts(max_chars), st.lists(texts(max_chars), max_size=10), json_values()),
        "target_lang": languages(DEEPL_TARGETS),
        "source_lang": languages(DEEPL_SOURCES),
        "tag_handling": st.sampled_from(["html", "xml", "HTML", "none", ""]),
        "split_sentences": st.one_of(st.sampled_from(["0", "1", "nonewlines", "2"]), json_values()),
        "preserve_formatting": st.one_of(st.sampled_from(["0", "1", "true", "yes"]), json_values()),
        "formality": st.sampled_from(["default", "more", "prefer_less", "very"]),
        "glossary_id": st.one_of(st.text(max_size=12), json_values()),
        "context": st.one_of(st.text(max_size=20), json_values()),
    }


def _glossary_fields() -> dict[str, st.SearchStrategy[Any]]:
    entry = st.sampled_from(["国务院\tthe State Council", "同安区,Tong'an District", "a\tb\tc", "\t", "x"])
    return {
        "name": st.one_of(st.text(max_size=12), json_values()),
        "source_lang": languages(DEEPL_SOURCES),
        "target_lang": languages(DEEPL_TARGETS),
        "entries": st.one_of(st.lists(entry, max_size=4).map("\n".join), st.text(max_size=30), json_values()),
        "entries_format": st.sampled_from(["tsv", "csv", "TSV", "json", ""]),
    }


@st.composite
def deepl_calls(draw: st.DrawFn, max_chars: int) -> Call:
    auth = draw(authorizations())
    some_id = draw(path_segment())
    document_fields = {
        "target_lang": languages(DEEPL_TARGETS),
        "source_lang": languages(DEEPL_SOURCES),
        "document_key": st.one_of(st.text(max_size=20), json_values()),
        "glossary_id": st.text(max_size=12),
        "filename": st.text(max_size=12),
        "output_format": st.text(max_size=6),
    }
    routes: dict[str, tuple[str, str, dict[str, st.SearchStrategy[Any]]]] = {
        "translate": ("POST", "/v2/translate", _translate_fields(max_chars)),
        "languages": (
            draw(st.sampled_from(["GET", "POST"])),
            "/v2/languages",
            {"type": json_values() | st.sampled_from(["source", "target", "SOURCE"])},
        ),
        "pairs": ("GET", "/v2/glossary-language-pairs", {}),
        "usage": (draw(st.sampled_from(["GET", "POST"])), "/v2/usage", {}),
        "glossaries": ("POST", "/v2/glossaries", _glossary_fields()),
        "list": ("GET", "/v2/glossaries", {}),
        "glossary": (draw(st.sampled_from(["GET", "DELETE"])), f"/v2/glossaries/{some_id}", {}),
        "entries": ("GET", f"/v2/glossaries/{some_id}/entries", {}),
        "status": ("POST", f"/v2/document/{some_id}", document_fields),
        "result": ("POST", f"/v2/document/{some_id}/result", document_fields),
        "document": ("POST", "/v2/document", document_fields),
        "unknown": ("GET", f"/v2/{some_id}", {}),
    }
    route = draw(st.sampled_from(["translate", "translate", *routes]))
    method, path, known = routes[route]
    if route == "entries":
        accept = draw(st.sampled_from(["text/tab-separated-values", "*/*", "application/json", ""]))
        auth = (*auth, ("accept", accept))
    files = draw(uploads("file")) if route == "document" else None
    fields = draw(fields_of(known, needed=_NEEDED.get(route, ())))
    return draw(carried(method, path, fields, auth, files=files))
