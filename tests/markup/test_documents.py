"""Markup through `prepare` and back, with synthetic model outputs: every output parses, and its tags,
with their attributes, are the input's (as a multiset), whatever the model did to the placeholders."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import unquote

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from service.jobs.formats import read_items, write_translated
from service.markup.documents import TextOptions, prepare
from service.markup.placeholders import strip_markers
from service.markup.rules import MarkupRules

WORDS = ["会议", "在厦门", "召开。", "市长", "讲话", "新闻", "2024年", " "]
INLINE = ["b", "i", "em", "strong", "a", "span", "sub", "sup", "code", "u"]
BLOCKS = ["p", "div", "li", "h2", "td"]


@st.composite
def inline_html(draw: st.DrawFn, depth: int = 0, inside_link: bool = False) -> str:
    parts = []
    for _ in range(draw(st.integers(0 if depth else 1, 4))):
        kind = draw(st.sampled_from(["text", "text", "element", "void"] if depth < 3 else ["text", "void"]))
        if kind == "text":
            parts.append(draw(st.sampled_from(WORDS)))
        elif kind == "void":
            parts.append(draw(st.sampled_from(["<br>", '<img src="a.png" alt="图">'])))
        else:
            tag = draw(st.sampled_from([t for t in INLINE if not (inside_link and t == "a")]))
            attributes = {"a": ' href="/x?id=1&amp;b=新闻"', "span": ' class="hl"', "b": ' id="k"'}.get(
                tag, ""
            )
            content = draw(inline_html(depth + 1, inside_link or tag == "a"))
            parts.append(f"<{tag}{attributes}>{content}</{tag}>")
    return "".join(parts)


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        block = draw(st.sampled_from(BLOCKS))
        content = draw(inline_html())
        blocks.append(
            f"<ul><li>{content}</li></ul>"
            if block == "li"
            else f"<table><tr><td>{content}</td></tr></table>"
            if block == "td"
            else f"<{block}>{content}</{block}>"
        )
    return "".join(blocks)


def tags(markup: str) -> Counter[tuple[str, tuple[tuple[str, str], ...]]]:
    """Each element's tag and attributes. libxml2's HTML serializer writes non-ASCII characters of a URL
    attribute (href, src) percent-encoded, as it always did here: the same address, so compared unquoted."""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    return Counter(
        (element.tag, tuple(sorted((name, unquote(value)) for name, value in element.attrib.items())))
        for element in root.iter()
        if isinstance(element.tag, str)
    )


@st.composite
def model_outputs(draw: st.DrawFn, line: str) -> str:
    """What a model might write for `line`: its markers kept, dropped, doubled or shuffled, amid words."""
    markers = re.findall(r"</?g\d+>|<x\d+/>", line)
    how = draw(st.sampled_from(["echo", "noise", "mangle"]))
    if how == "echo":
        return line
    words = draw(st.lists(st.sampled_from(["The", "meeting", "Xiamen", "was", "held", "."]), max_size=8))
    if how == "noise":
        return " ".join(words)
    kept = draw(st.lists(st.sampled_from(markers), max_size=10)) if markers else []
    return " ".join(draw(st.permutations(kept + words)))


@settings(max_examples=250, deadline=None)
@given(st.data())
def test_every_output_parses_with_the_inputs_tags(data: st.DataObject) -> None:
    source = data.draw(html_documents())
    prepared = prepare(source, "html")
    lines = [line for line in prepared.text.split("\n") if line.strip()]
    english = [data.draw(model_outputs(line)) for line in lines]
    output = prepared.rebuild(english)
    assert tags(output) == tags(source), (source, english, output)
    root = lxml.html.fragment_fromstring(output, create_parent="div")
    words = " ".join("".join(root.xpath("//text()[not(ancestor::code)]")).split())
    for line in english:
        assert " ".join(strip_markers(line).split()) in words


def test_the_sentence_across_a_bold_word_is_one_line() -> None:
    prepared = prepare("<p>会议在<b>厦门</b>召开。</p>", "html")
    assert prepared.text == "会议在<g1>厦门</g1>召开。"
    assert prepared.rebuild(["The meeting was held in <g1>Xiamen</g1>."]) == (
        "<p>The meeting was held in <b>Xiamen</b>.</p>"
    )


def test_attributes_code_and_untranslatable_content_never_reach_the_model() -> None:
    source = (
        '<p title="标题" class="x">正文<a href="/news?id=1&amp;k=2" title="链接">链接</a><code>变量 = 1</code>'
        '<span translate="no">不译</span><span class="notranslate">也不译</span>。</p>'
        "<pre>代码块</pre><script>var a = '脚本';</script><style>p{}</style>"
    )
    prepared = prepare(source, "html")
    assert prepared.text == "正文<g1>链接</g1><x2/><x3/><x4/>。"
    output = prepared.rebuild(["Text <g1>link</g1><x2/><x3/><x4/>."])
    assert output == (
        '<p title="标题" class="x">Text <a href="/news?id=1&amp;k=2" title="链接">link</a><code>变量 = 1</code>'
        '<span translate="no">不译</span><span class="notranslate">也不译</span>.</p>'
        "<pre>代码块</pre><script>var a = '脚本';</script><style>p{}</style>"
    )


def test_xml_ignore_and_splitting_tags() -> None:
    source = "<doc><p>会议在<term>厦门</term>召开。<note>注释</note></p></doc>"
    rules = MarkupRules(xml=True, ignored=frozenset({"term"}), splitting=frozenset({"note"}))
    prepared = prepare(source, "xml", TextOptions(rules=rules))
    assert prepared.text.split("\n") == ["会议在<x1/>召开。", "注释"]
    assert prepared.rebuild(["Held in <x1/>.", "Note"]) == (
        "<doc><p>Held in <term>厦门</term>.<note>Note</note></p></doc>"
    )


def test_whole_page_keeps_head_and_doctype() -> None:
    page = "<!DOCTYPE html><html lang='zh'><head><title>标题</title></head><body><p>你好<i>世界</i></p></body></html>"
    prepared = prepare(page, "html")
    assert prepared.text.split("\n") == ["标题", "你好<g1>世界</g1>"]
    output = prepared.rebuild(["Title", "Hello <g1>world</g1>"])
    assert output.startswith("<!DOCTYPE html>") and "<p>Hello <i>world</i></p>" in output


def test_inline_nesting_deeper_than_the_stack_allows_keeps_every_tag() -> None:
    data = ("<p>" + "<b>" * 1500 + "深处" + "</b>" * 1500 + "。</p>").encode()
    assert read_items("deep.html", data)[0].text.startswith("<g1><g2>")
    output = write_translated("deep.html", data, ["Deep."])
    assert output is not None and output.count(b"<b>") == output.count(b"</b>") == 1500
