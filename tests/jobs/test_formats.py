"""Files to items and back: each format read, "translated" with stand-ins, and rebuilt in its own shape."""

from __future__ import annotations

import io

import docx
import pytest
from docx.document import Document

from service.jobs.formats import (
    SUFFIXES,
    BadFile,
    UnsupportedFile,
    kind_of,
    paragraph_count,
    read_items,
    write_translated,
)


def english(count: int) -> list[str]:
    return [f"EN{k}" for k in range(1, count + 1)]


def only_item_text(name: str, data: bytes) -> str:
    [item] = read_items(name, data)
    assert (item.id, item.file) == (name, name)
    return item.text


def test_kind_by_suffix_in_any_case() -> None:
    assert kind_of("news.TXT") == "txt"
    assert kind_of("dir/notes.markdown") == "md"
    assert kind_of("page.htm") == kind_of("page.Html") == "html"
    assert kind_of("report.docx") == "docx"
    assert set(SUFFIXES.values()) == {
        "txt",
        "md",
        "jsonl",
        "html",
        "docx",
        "xlsx",
        "pptx",
        "srt",
        "vtt",
        "xliff",
        "pdf",
    }


@pytest.mark.parametrize("name", ["scan.tiff", "old.doc", "noext", "a.txt.gz"])
def test_unsupported_suffix_names_the_supported_ones(name: str) -> None:
    with pytest.raises(UnsupportedFile, match=r"\.docx"):
        read_items(name, b"x")
    with pytest.raises(UnsupportedFile):
        write_translated(name, b"x", [])


def test_paragraph_count_is_the_non_empty_lines() -> None:
    assert paragraph_count("甲\n\n  \n乙\r\n丙\u3000\n") == 3
    assert paragraph_count("") == 0


def test_txt_keeps_its_layout_and_line_endings() -> None:
    data = "\ufeff標題\r\n\r\n第一段\r\n　　第二段\r\n".encode()
    text = only_item_text("news.txt", data)
    assert text == "標題\n\n第一段\n　　第二段\n"
    assert paragraph_count(text) == 3
    assert (
        write_translated("news.txt", data, ["Title", "One\nline", "Two"])
        == b"Title\r\n\r\nOne line\r\nTwo\r\n"
    )


def test_txt_that_is_not_utf8_is_a_bad_file() -> None:
    with pytest.raises(BadFile, match="UTF-8"):
        read_items("news.txt", "新聞".encode("gb18030"))


def test_translations_must_match_the_paragraphs() -> None:
    with pytest.raises(ValueError, match="2 translations for 3 paragraphs"):
        write_translated("news.txt", "甲\n乙\n丙".encode(), ["A", "B"])


MARKDOWN = """# 標題

段落一，\u0020\u0020
- 項目一
* 項目二
1. 第一
> 引用
> - 引用清單
- [x] 已完成

```python
print("不要翻譯")
# 不是標題
```

---
最後
"""


def test_markdown_markers_and_code_stay_out_of_the_text_and_come_back() -> None:
    text = only_item_text("notes.md", MARKDOWN.encode())
    assert text.split("\n") == [
        "標題",
        "段落一，",
        "項目一",
        "項目二",
        "第一",
        "引用",
        "引用清單",
        "已完成",
        "最後",
    ]
    out = write_translated("notes.md", MARKDOWN.encode(), english(paragraph_count(text)))
    assert out is not None
    assert out.decode() == (
        "# EN1\n\nEN2  \n- EN3\n* EN4\n1. EN5\n> EN6\n> - EN7\n- [x] EN8\n\n"
        '```python\nprint("不要翻譯")\n# 不是標題\n```\n\n---\nEN9\n'
    )


def test_jsonl_items_with_and_without_ids() -> None:
    data = '{"id": "a", "text": "甲"}\n\n{"text": "乙"}\r\n{"id": 7, "text": "丙", "extra": 1}\n'.encode()
    items = read_items("batch.jsonl", data)
    assert [(item.id, item.text, item.file) for item in items] == [
        ("a", "甲", "batch.jsonl"),
        ("batch.jsonl:3", "乙", "batch.jsonl"),
        ("7", "丙", "batch.jsonl"),
    ]
    assert write_translated("batch.jsonl", data, ["A", "B", "C"]) is None


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("{not json", "line 2: not JSON"),
        ('{"id": "x"}', 'line 2: expected a JSON object with a string "text"'),
        ('["text"]', "line 2: expected"),
        ('{"text": 5}', "line 2: expected"),
        ('{"id": true, "text": "乙"}', '"id" must be'),
    ],
)
def test_jsonl_bad_lines(line: str, why: str) -> None:
    with pytest.raises(BadFile, match=why):
        read_items("batch.jsonl", f'{{"text": "甲"}}\n{line}\n'.encode())


HTML = """<!DOCTYPE html>
<html lang="zh-Hant"><head><meta charset="utf-8"><title>新聞標題</title>
<script>var x = "<p>不要翻譯</p>" && 1;</script><style>p { color: red; }</style></head>
<body>
<!-- 註解 -->
<h1 class="headline" data-id="7">標題</h1>
<p title="提示">第一段 &amp; <b>粗體</b>
   文字<a href="/x?a=1&amp;b=2">連結</a>。</p>
</body></html>
"""


def test_html_runs_of_text_are_the_paragraphs_inline_elements_placeholders() -> None:
    text = only_item_text("page.html", HTML.encode())
    assert text.split("\n") == ["新聞標題", "標題", "第一段 & <g1>粗體</g1> 文字<g2>連結</g2>。"]


def test_html_keeps_markup_and_escapes_translations() -> None:
    translations = ["Title", "A <b>bold</b> claim & more", "EN3 <g1>EN4</g1> EN5<g2>EN6</g2>."]
    out = write_translated("page.html", HTML.encode(), translations)
    assert out is not None
    page = out.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<title>Title</title>" in page
    assert "A &lt;b&gt;bold&lt;/b&gt; claim &amp; more</h1>" in page
    assert '<h1 class="headline" data-id="7">' in page
    assert 'var x = "<p>不要翻譯</p>" && 1;' in page  # script untouched
    assert "p { color: red; }" in page
    assert "<!-- 註解 -->" in page
    assert '<p title="提示">EN3 <b>EN4</b> EN5<a href="/x?a=1&amp;b=2">EN6</a>.</p>' in page
    assert only_item_text("page.html", out).split("\n") == translations


def test_html_in_a_declared_chinese_charset_comes_out_utf8() -> None:
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>新闻</p></body></html>'
    data = page.encode("gb2312")
    assert only_item_text("page.htm", data) == "新闻"
    out = write_translated("page.htm", data, ["News"])
    assert out is not None
    assert b"charset=utf-8" in out
    assert b"<p>News</p>" in out
    assert not out.startswith(b"<!DOCTYPE")  # none was there


def test_html_nested_deeper_than_libxml2s_default_limit() -> None:
    data = b"<div>" * 1000 + "深處".encode() + b"</div>" * 1000
    assert only_item_text("deep.html", data) == "深處"
    out = write_translated("deep.html", data, ["Deep"])
    assert out is not None and b"<div>Deep</div>" in out


def test_html_not_utf8_and_no_charset_is_a_bad_file() -> None:
    with pytest.raises(BadFile):
        read_items("page.html", "<p>新聞</p>".encode("big5"))


def build_docx() -> bytes:
    """Headings, a bold run beside a plain one, a 2x2 table whose first row is one merged cell and
    whose last cell holds a nested table, an empty paragraph, a list item."""
    document = docx.Document()
    document.add_heading("標題一", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("粗體").bold = True
    paragraph.add_run("普通\t文字")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合併"
    table.cell(1, 0).text = "左"
    table.cell(1, 1).text = "右"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "內層"
    document.add_paragraph("")
    document.add_heading("標題二", level=2)
    document.add_paragraph("結尾", style="List Bullet")
    return saved(document)


def saved(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_in_order_tables_included_merged_cells_once() -> None:
    text = only_item_text("report.docx", build_docx())
    assert text.split("\n") == [
        "標題一",
        "<g1>粗體</g1>普通 文字",
        "合併",
        "左",
        "右",
        "內層",
        "標題二",
        "結尾",
    ]


def test_docx_keeps_structure_styles_and_run_formatting() -> None:
    data = build_docx()
    translations = english(8)
    translations[1] = "<g1>Bold</g1> plain text"
    out = write_translated("report.docx", data, translations)
    assert out is not None
    before, after = docx.Document(io.BytesIO(data)), docx.Document(io.BytesIO(out))
    assert len(after.paragraphs) == len(before.paragraphs)
    assert len(after.tables) == len(before.tables) == 1
    assert [p.style.name for p in after.paragraphs if p.style] == [
        p.style.name for p in before.paragraphs if p.style
    ]
    bold, plain = after.paragraphs[1].runs
    assert (bold.text, bold.bold, plain.text, plain.bold) == ("Bold", True, " plain text", None)
    table = after.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["EN3", "EN3"]  # one merged cell
    assert [cell.paragraphs[0].text for cell in table.rows[1].cells] == ["EN4", "EN5"]
    assert table.cell(1, 1).tables[0].cell(0, 0).text == "EN6"
    assert after.paragraphs[0].text == "EN1"
    assert after.paragraphs[-1].text == "EN8"
    assert only_item_text("report.docx", out).split("\n") == translations


def test_a_file_that_is_not_a_docx_is_a_bad_file() -> None:
    with pytest.raises(BadFile, match=r"not a readable \.docx"):
        read_items("report.docx", b"PK but no zip")


@pytest.mark.eval_data
def test_seed_document_as_docx_keeps_its_paragraph_count(seed_text: str) -> None:
    lines = [line for line in seed_text.split("\n") if line.strip()]
    document = docx.Document()
    for line in lines[:-2]:
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = lines[-2], lines[-1]
    data = saved(document)
    text = only_item_text("seed.docx", data)
    assert paragraph_count(text) == len(lines) == paragraph_count(seed_text)
    assert text.split("\n") == [" ".join(line.split()) for line in lines]
    out = write_translated("seed.docx", data, english(len(lines)))
    assert out is not None
    assert docx.Document(io.BytesIO(out)).tables[0].cell(0, 1).text == f"EN{len(lines)}"
