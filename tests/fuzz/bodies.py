"""Request bodies encoded by hand, byte for byte: JSON, forms and multipart with whatever field and file
names were drawn (quotes, path separators, `..`, non-ASCII), which an HTTP client would escape or refuse."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

# A multipart part: (field name, file name or None for a plain field, content, its Content-Type or None).
Part = tuple[str, str | None, bytes, str | None]
BOUNDARY = "gazette-fuzz-7d1f0c"


def json_body(value: Any) -> tuple[bytes, str]:
    """ASCII-escaped, so that lone surrogates a strategy drew still make valid JSON text."""
    return json.dumps(value).encode(), "application/json"


def form_body(fields: Sequence[tuple[str, str]]) -> tuple[bytes, str]:
    encoded = urlencode(list(fields), encoding="utf-8", errors="surrogatepass").encode("ascii")
    return encoded, "application/x-www-form-urlencoded"


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def multipart_body(parts: Sequence[Part], boundary: str = BOUNDARY) -> tuple[bytes, str]:
    """The parts as sent by a careless or hostile client: names go in as they are, unescaped."""
    chunks = []
    for name, filename, content, content_type in parts:
        disposition = b'Content-Disposition: form-data; name="' + _raw(name) + b'"'
        if filename is not None:
            disposition += b'; filename="' + _raw(filename) + b'"'
        head = [b"--" + boundary.encode(), disposition]
        if content_type is not None:
            head.append(b"Content-Type: " + _raw(content_type))
        chunks.append(b"\r\n".join(head) + b"\r\n\r\n" + content + b"\r\n")
    chunks.append(b"--" + boundary.encode() + b"--\r\n")
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
