"""A .docx paragraph's runs through placeholders: a bold word inside a sentence stays bold around its
English, a hyperlink stays one, and whatever the model does, no formatted run is lost or doubled."""

from __future__ import annotations

import io

import docx
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from service.jobs.docx_file import docx_lines, write_docx
from service.markup.placeholders import strip_markers


def sentence_docx(link: bool = False) -> bytes:
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("会议在")
    paragraph.add_run("厦门").bold = True
    paragraph.add_run("召开")
    paragraph.add_run("。")  # same formatting as the run before: one group with it
    if link:
        r_id = document.part.relate_to(
            "https://www.xm.gov.cn/", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
        )
        hyperlink = OxmlElement("w:hyperlink", attrs={qn("r:id"): r_id})
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "详情"
        run.append(text)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


def runs_of(data: bytes) -> list[tuple[str, bool | None]]:
    paragraph = docx.Document(io.BytesIO(data)).paragraphs[0]
    return [(run.text, run.bold) for run in paragraph.runs if run.text]


def test_the_bold_word_goes_to_the_model_as_a_placeholder() -> None:
    assert docx_lines("a.docx", sentence_docx()) == ["会议在<g1>厦门</g1>召开。"]


def test_the_bold_word_stays_bold_around_its_english() -> None:
    out = write_docx("a.docx", sentence_docx(), ["The meeting was held in <g1>Xiamen</g1>."])
    assert runs_of(out) == [("The meeting was held in ", None), ("Xiamen", True), (".", None)]


def test_a_model_that_drops_or_doubles_the_placeholder_still_gives_one_bold_run() -> None:
    for english in ["The meeting was held in Xiamen.", "<g1>A</g1> <g1>B</g1> </g1>C<g1>"]:
        runs = runs_of(write_docx("a.docx", sentence_docx(), [english]))
        assert len([text for text, bold in runs if bold]) == 1, runs
        assert "".join(text for text, _ in runs) == strip_markers(english)


def test_a_hyperlink_stays_one_and_keeps_its_target() -> None:
    data = sentence_docx(link=True)
    assert docx_lines("a.docx", data) == ["会议在<g1>厦门</g1>召开。<g2>详情</g2>"]
    for english in [
        "<g2>Details</g2>: held in <g1>Xiamen</g1>.",
        "Held in Xiamen. Details",
        "<g2>a</g2><g2>b</g2>",
        "<g2></g2>Held in Xiamen",  # the link's words are nowhere: the link is still kept
    ]:
        out = docx.Document(io.BytesIO(write_docx("a.docx", data, [english])))
        links = out.paragraphs[0]._p.findall(qn("w:hyperlink"))
        assert len(links) == 1
        assert out.part.rels[links[0].get(qn("r:id"))].target_ref == "https://www.xm.gov.cn/"
