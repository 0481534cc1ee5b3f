"""How a translated file is sent: its name (a PDF's translation is a .docx), media type and
Content-Disposition. Plain strings, shared by every API that hands files back (`/v1/jobs`, LibreTranslate,
DeepL), so that none of them imports another."""

from __future__ import annotations

from urllib.parse import quote

from service.jobs.formats import translated_kind, translated_name

_MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "srt": "application/x-subrip",
    "vtt": "text/vtt; charset=utf-8",
    "xliff": "application/xliff+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def media_type(upload: str) -> str:
    """The media type of the translation of the file uploaded as `upload`."""
    return _MEDIA_TYPES.get(translated_kind(upload), "application/octet-stream")


def disposition(upload: str) -> str:
    """An attachment named as the translation of `upload` is (RFC 6266 for names that are not ASCII)."""
    name = translated_name(upload)
    fallback = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
