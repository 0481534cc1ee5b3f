"""The building blocks of fuzzed requests: texts, keys, file names and contents, Content-Types, and the
ways one set of fields can travel (JSON, form, query string, multipart, raw bytes)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote

from hypothesis import strategies as st

from tests.fuzz.bodies import Part, form_body, json_body, multipart_body
from tests.fuzz.harness import Call, Pairs

KEY = "fuzz-key"  # the one key the fuzzed app accepts
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
T = TypeVar("T")
SENTENCES = (
    "国务院召开常务会议。",
    "廈門同安區質(zhì)量強區大會召開。",
    "今年前三季度，全区规上工业增加值同比增长24.5%。",
    "区长周桂良出席会议并讲话。(陈永)",
    "東京は日本の首都です。",
    "서울은 한국의 수도입니다.",
    "<p>同安区<b>召开</b>大会。</p>",
    "Already English text.",
)


def texts(max_chars: int) -> st.SearchStrategy[str]:
    """News-like text, noise, markup, blanks, and now and then one just over the character limit."""
    return st.one_of(
        st.sampled_from(SENTENCES),
        st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4).map("\n".join),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
        st.sampled_from(["", " ", "\n\n", "\u3000", "。。。", "24.5%", "\x00", "\ufeff"]),
        st.just("字" * (max_chars + 1)),
    )


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=12)
    )


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, a few levels deep: what a field of the wrong kind may hold."""
    return st.recursive(
        scalars(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=8,
    )


def mostly(
    usual: st.SearchStrategy[T], unusual: st.SearchStrategy[T], in_ten: int = 8
) -> st.SearchStrategy[T]:
    """`usual` about `in_ten` times in ten, else `unusual`. (`st.one_of` cannot weight: it merges equal
    branches, so `one_of(a, a, a, b)` draws `b` half the time.)"""
    share = st.sampled_from([True] * in_ten + [False] * (10 - in_ten))
    return share.flatmap(lambda usually: usual if usually else unusual)


def keys() -> st.SearchStrategy[str | None]:
    """Mostly the right key (so requests get past the key check), else none, a wrong one, or junk."""
    wrong = st.sampled_from([None, "", " ", "wrong", KEY + " ", KEY.upper(), "null"])
    return mostly(st.just(KEY), st.one_of(wrong, st.text(max_size=20)), in_ten=9)


def languages(known: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return mostly(st.sampled_from(known), st.one_of(st.text(max_size=8), json_values()))


def fields_of(
    known: Mapping[str, st.SearchStrategy[Any]], needed: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the known fields (most often with the `needed` ones, so that requests get past the
    first check), sometimes with a field of a name nobody expects."""
    extra = st.dictionaries(st.text(max_size=8), json_values(), max_size=2)
    optional = {name: value for name, value in known.items() if name not in needed}
    complete = st.fixed_dictionaries({name: known[name] for name in needed}, optional=optional)
    fields = mostly(complete, st.fixed_dictionaries({}, optional=dict(known)))
    return st.builds(lambda chosen, more: {**more, **chosen}, fields, mostly(st.just({}), extra, in_ten=7))


def _as_text(value: Any) -> str:
    """A field as a form or query string carries it: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _pairs(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in fields.items():
        # A list becomes the field repeated, as clients send `text` and `q` in forms.
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, _as_text(one)))
    return pairs


@st.composite
def carried(
    draw: st.DrawFn,
    method: str,
    path: str,
    fields: dict[str, Any],
    headers: Pairs = (),
    files: list[Part] | None = None,
) -> Call:
    """`fields` (and any `files`) sent the way a drawn client sends them."""
    ways = ["json", "json", "json", "form", "form", "form", "query", "query", "multipart", "raw"]
    how = "multipart" if files else draw(st.sampled_from(ways))
    query: Pairs = ()
    body: bytes | None = None
    media: str | None = None
    if how == "json":
        body, media = json_body(draw(mostly(st.just(fields), json_values())))
    elif how == "form":
        body, media = form_body(_pairs(fields))
    elif how == "query":
        query = tuple(_pairs(fields))
    elif how == "multipart":
        plain: list[Part] = [
            (name, None, value.encode("utf-8", "surrogatepass"), None) for name, value in _pairs(fields)
        ]
        body, media = multipart_body(plain + list(files or []))
    else:
        body = draw(st.binary(max_size=64))
        media = draw(content_types())
    if media is not None and draw(st.integers(0, 19)) == 0:
        media = draw(content_types())  # a body that says it is something it is not
    all_headers = (*headers, *((("content-type", media),) if media is not None else ()))
    return Call(draw(st.sampled_from([method] * 15 + list(METHODS))), path, query, all_headers, body)


def content_types() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "application/json",
                "application/json; charset=latin-1",
                "application/problem+json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=nothing-here",
                "text/plain",
                "application/octet-stream",
                "",
            ]
        ),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    )


def file_names() -> st.SearchStrategy[str]:
    suffixes = st.sampled_from([".txt", ".md", ".html", ".docx", ".jsonl", ".pdf", ".TXT", ""])
    return st.one_of(
        st.sampled_from(
            [
                "../../etc/passwd",
                "..\\..\\windows\\win.ini",
                "/etc/passwd.txt",
                "../report.txt",
                "..",
                ".",
                "",
                "a/b/c.md",
                "报告.docx",
                'quote".html',
                "new\r\nline.txt",
                "nul\x00.txt",
                "a" * 300 + ".txt",
            ]
        ),
        st.builds(lambda stem, suffix: stem + suffix, st.text(max_size=12), suffixes),
    )


@cache
def _docx() -> bytes:
    """A real .docx of one Chinese paragraph (python-docx), to be sent whole or damaged."""
    from docx import Document

    document = Document()
    document.add_paragraph(SENTENCES[2])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_contents() -> st.SearchStrategy[bytes]:
    text = st.sampled_from(SENTENCES).map(lambda line: line.encode())
    jsonl = st.lists(
        st.one_of(st.just('{"id": "a", "text": "同安区召开大会。"}'), st.text(max_size=10)), max_size=3
    )
    return st.one_of(
        text,
        st.binary(max_size=256),
        st.just(b"<html><body><p>\xe5\x90\x8c\xe5\xae\x89\xe5\x8c\xba</p><script>x</script></body></html>"),
        jsonl.map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
        st.builds(lambda: _docx()),
        st.integers(0, 4000).map(lambda cut: _docx()[:cut]),
        st.binary(max_size=64).map(lambda junk: b"PK\x03\x04" + junk),
    )


def uploads(field: str) -> st.SearchStrategy[list[Part]]:
    """Zero to two parts under `field` (a file, or the name sent as a plain field), any name, any bytes."""
    one = st.builds(
        lambda name, filename, content, media: (name, filename, content, media),
        st.sampled_from([field, field, field, "upload"]),
        st.one_of(file_names(), st.none()),
        file_contents(),
        st.one_of(st.none(), content_types()),
    )
    return st.lists(one, max_size=2)


def path_segment() -> st.SearchStrategy[str]:
    """An id or name in a path, percent-encoded, dots too: a raw `..` would be resolved by the client
    before it is sent."""
    plain = st.one_of(
        st.text(max_size=20),
        st.sampled_from(["..", "../../etc/passwd", "0" * 32, "a-b.txt", "%00", "null", "报告.txt"]),
    )
    return plain.map(lambda segment: quote(segment, safe="").replace(".", "%2E") or "x")


@st.composite
def other_calls(draw: st.DrawFn) -> Call:
    """The probes, the web form and its assets, the docs, and paths that are nobody's, any method."""
    path = draw(
        st.one_of(
            st.sampled_from(["/healthz", "/readyz", "/metrics", "/", "/docs", "/openapi.json"]),
            st.sampled_from(["/static/", "/static/form.css?v=", "/", "/v3/", "/translate/"]).flatmap(
                lambda head: path_segment().map(lambda segment: head + segment)
            ),
        )
    )
    return draw(carried("GET", path, draw(fields_of({}))))
