"""Hostile .docx uploads: judged by content, capped before unpacking, XML read without entities or network."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import docx
import pytest

from service.jobs import docx_file
from service.jobs.formats import BadFile, read_items


def plain_docx(text: str = "国务院召开常务会议。") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_document_xml(data: bytes, rewrite: str) -> bytes:
    """The package with word/document.xml replaced by `rewrite` (the original with `{body}` filled)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part.filename)
            if part.filename == "word/document.xml":
                content = rewrite.encode()
            target.writestr(part, content)
    return out.getvalue()


def document_xml(doctype: str, text: str) -> str:
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{doctype}'
        f'<w:document xmlns:w="{namespace}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )


def test_a_docx_is_judged_by_its_content_not_its_name() -> None:
    for content in (b"<html><body>not a zip</body></html>", b"PK\x03\x04 broken", b""):
        with pytest.raises(BadFile, match=r"not a readable \.docx"):
            read_items("report.docx", content)
    not_word = io.BytesIO()
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("hello.txt", "a zip, but no Word document in it")
    with pytest.raises(BadFile, match=r"not a readable \.docx"):
        read_items("report.docx", not_word.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_file, "MAX_UNPACKED_BYTES", 5_000_000)
    padding = io.BytesIO()
    with zipfile.ZipFile(padding, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in zipfile.ZipFile(io.BytesIO(plain_docx())).infolist():
            archive.writestr(part, zipfile.ZipFile(io.BytesIO(plain_docx())).read(part.filename))
        archive.writestr("word/media/zeros.bin", b"\0" * 6_000_000)  # 6 MB that deflate to 6 KB
    bomb = padding.getvalue()
    assert len(bomb) < 50_000
    started = time.perf_counter()
    with pytest.raises(BadFile, match=r"would unpack to 6,\d{3},\d{3} bytes"):
        read_items("bomb.docx", bomb)
    assert time.perf_counter() - started < 1.0


def test_too_many_parts_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_file, "MAX_PARTS", 20)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for number in range(30):
            archive.writestr(f"part{number}.xml", "<a/>")
    with pytest.raises(BadFile, match="30 parts"):
        read_items("many.docx", many.getvalue())


def read_text(data: bytes) -> str:
    """The items' text, or "" if the file is refused: refusing it is as good as reading it safely."""
    try:
        return " ".join(item.text for item in read_items("hostile.docx", data))
    except BadFile:
        return ""


def test_entities_are_not_expanded_nor_fetched(listener: tuple[str, list[str]], tmp_path: Path) -> None:
    url, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-ON-DISK")
    doctype = (
        '<!DOCTYPE w:document [<!ENTITY lol0 "lol"><!ENTITY lol1 "&lol0;&lol0;&lol0;">'
        f'<!ENTITY file SYSTEM "{secret.as_uri()}"><!ENTITY remote SYSTEM "{url}/xxe">]>'
    )
    text = read_text(with_document_xml(plain_docx(), document_xml(doctype, "会议&lol1;&file;&remote;结束")))
    assert text.startswith("会议") and "lol" not in text and "FETCHED" not in text
    assert "SECRET-ON-DISK" not in text
    assert hits == []


def test_a_billion_laughs_costs_nothing() -> None:
    laughs = "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    doctype = f'<!DOCTYPE w:document [<!ENTITY lol0 "lol">{laughs}]>'
    started = time.perf_counter()
    text = read_text(with_document_xml(plain_docx(), document_xml(doctype, "会议&lol9;结束")))
    assert time.perf_counter() - started < 2.0 and "lollol" not in text
