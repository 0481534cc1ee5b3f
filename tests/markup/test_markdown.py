"""Markdown on a corpus of README-like files with Chinese text (`readmes/`): prose is translated, and
code (fenced, indented, inline), link and image destinations, HTML (blocks and inline) and front matter
come back byte for byte, whatever the model does to the placeholders; on the tiny model too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from service.markup.markdown import markdown_lines, write_markdown

READMES = sorted((Path(__file__).parent / "readmes").glob("*.md"))
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
FRONT = re.compile(r"---\n(?:.*\n)*?---\n")


def kept_parts(text: str) -> list[tuple[Any, ...]]:
    """Everything that must not change: code, HTML, destinations, front matter (sorted: English may
    put a link before a code span that came after it)."""
    front = FRONT.match(text)
    found: list[tuple[Any, ...]] = [("front", front.group(0) if front else "")]
    for token in PARSER.parse(text[front.end() :] if front else text):
        if token.type in ("fence", "code_block", "html_block"):
            found.append((token.type, token.info, token.markup, token.content))
        for child in token.children or []:
            if child.type in ("code_inline", "html_inline"):
                found.append((child.type, child.markup, child.content))
            elif child.type == "link_open":
                found.append(("href", child.attrs.get("href"), child.attrs.get("title")))
            elif child.type == "image":
                found.append(("src", child.attrs.get("src"), child.attrs.get("title")))
    return sorted(found, key=repr)


def block_kinds(text: str) -> list[str]:
    front = FRONT.match(text)
    tokens = PARSER.parse(text[front.end() :] if front else text)
    return [token.type for token in tokens if token.type != "inline"]


def as_model_might(line: str, how: str) -> str:
    markers = re.findall(r"</?g\d+>|<x\d+/>", line)
    if how == "echo":
        return "EN " + re.sub(r"[\u4e00-\u9fff]+", "words", line)
    if how == "dropped":
        return "The meeting was held in Xiamen and the mayor spoke"
    return " ".join(["Translated", *reversed(markers), "text"])  # reversed: crossing, misnested


def test_the_corpus_has_twenty_files_with_chinese_prose() -> None:
    assert len(READMES) >= 20
    for path in READMES:
        lines = markdown_lines(path.read_text(encoding="utf-8"))
        assert lines and any(re.search(r"[\u4e00-\u9fff]", line) for line in lines), path.name


@pytest.mark.parametrize("how", ["echo", "dropped", "reversed"])
@pytest.mark.parametrize("path", READMES, ids=lambda path: path.name)
def test_code_links_html_and_front_matter_are_byte_identical(path: Path, how: str) -> None:
    source = path.read_text(encoding="utf-8")
    english = [as_model_might(line, how) for line in markdown_lines(source)]
    output = write_markdown(source, english)
    assert kept_parts(output) == kept_parts(source)
    assert block_kinds(output) == block_kinds(source)
    assert not re.search(r"</?[gx]\d+/?>", output)


def test_what_goes_to_the_model() -> None:
    source = (READMES[11]).read_text(encoding="utf-8")
    assert markdown_lines(source) == [
        "说明",
        "会议在<g1>厦门</g1>召开，<g2>市长</g2>在<g3>市政府</g3>讲话，并宣布了 <x4/> 年的计划。",
        "这一句包含<x1/>Ctrl<x2/>+<x3/>C<x4/>快捷键。",
    ]
    english = [
        "Notes",
        "<g2>The mayor</g2> spoke at <g3>City Hall</g3> in <g1>Xiamen</g1>, announcing plans for <x4/>.",
        "This has <x1/>Ctrl<x2/>+<x3/>C<x4/>.",
    ]
    assert write_markdown(source, english) == (
        "# Notes\n\n**The mayor** spoke at [City Hall](https://www.xm.gov.cn/?a=1&b=2) in **Xiamen**, "
        "announcing plans for `2024`.\n\nThis has <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n"
    ).replace("**The mayor**", "*The mayor*")
