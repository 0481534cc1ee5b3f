"""DeepL's reading options honoured: ignore_tags, splitting and non-splitting tags, outline detection,
split_sentences and preserve_formatting. The marked model ("EN:" + its input) shows what each model
input was, so where the text was cut is seen exactly."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

KEY = {"Authorization": "DeepL-Auth-Key any-key"}


def translated(client: TestClient, text: str, **fields: Any) -> str:
    body = {"text": [text], "source_lang": "ZH", "target_lang": "EN-GB", **fields}
    response = client.post("/v2/translate", json=body, headers=KEY)
    assert response.status_code == 200, response.text
    result: str = response.json()["translations"][0]["text"]
    return result


def test_split_sentences(marked: TestClient) -> None:
    text = "第一句。第二句\n接着说。\n\n第二段。"
    assert translated(marked, text) == "EN:第一句。 EN:第二句\nEN:接着说。\n\nEN:第二段。"
    assert translated(marked, text, split_sentences="1") == translated(marked, text)
    # nonewlines: a line break is not a break; blank lines still part paragraphs.
    assert translated(marked, text, split_sentences="nonewlines") == (
        "EN:第一句。 EN:第二句 接着说。\n\nEN:第二段。"
    )
    assert translated(marked, text, split_sentences="0") == "EN:第一句。第二句 接着说。\n\nEN:第二段。"
    html = "<p>第一句。第二句。</p>"
    assert translated(marked, html, tag_handling="html", split_sentences=0) == "<p>EN:第一句。第二句。</p>"


def test_ignore_tags_keep_their_content(marked: TestClient, client: TestClient) -> None:
    xml = "<doc><p>会议在<keep a='1'>厦门</keep>召开。</p></doc>"
    assert translated(marked, xml, tag_handling="xml", ignore_tags="keep") == (
        '<doc><p>EN:会议在<keep a="1">厦门</keep>召开。</p></doc>'
    )
    noisy = translated(client, xml, tag_handling="xml", ignore_tags=["keep"])
    assert noisy.count('<keep a="1">厦门</keep>') == 1, noisy


def test_splitting_non_splitting_tags_and_outline_detection(marked: TestClient) -> None:
    xml = "<doc><title>标题</title><body>正文<sep/>续文</body></doc>"
    assert translated(marked, xml, tag_handling="xml") == (
        "<doc><title>EN:标题</title><body>EN:正文<sep/>续文</body></doc>"
    )
    assert translated(marked, xml, tag_handling="xml", splitting_tags="sep") == (
        "<doc><title>EN:标题</title><body>EN:正文<sep/>EN:续文</body></doc>"
    )
    # Without outline detection every element is inline: the whole document is one run.
    assert translated(marked, xml, tag_handling="xml", outline_detection="0") == (
        "EN:<doc><title>标题</title><body>正文<sep/>续文</body></doc>"
    )
    html = "<div>第一<section>第二</section></div>"
    assert translated(marked, html, tag_handling="html") == "<div>EN:第一<section>EN:第二</section></div>"
    assert translated(marked, html, tag_handling="html", non_splitting_tags="section") == (
        "<div>EN:第一<section>第二</section></div>"
    )


def test_preserve_formatting_keeps_edges(marked: TestClient) -> None:
    text = "  第一段\n\t第二段。  "
    assert translated(marked, text) == "EN:第一段\nEN:第二段。"
    assert translated(marked, text, preserve_formatting=True) == "  EN:第一段\n\tEN:第二段。  "
