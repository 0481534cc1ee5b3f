"""Markers moved around the English of the glossary term they hold (`service.markup.anchors`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.markup.anchors import EDGES, place_by_anchors, tagged_spans
from service.markup.documents import prepare
from service.markup.placeholders import strip_markers
from tests.markup.test_documents import html_documents, model_outputs, tags

XIAMEN = [("厦门", "Xiamen")]
SOURCE = "会议在<g1>厦门</g1>召开。"


def test_the_spans_of_paired_markers() -> None:
    assert tagged_spans("A<g1>厦门<g2>市</g2></g1>B<x3/>") == {1: "厦门市", 2: "市"}


def test_markers_the_model_dropped_go_around_the_terms_english() -> None:
    # What qwen-pypi wrote for the sentence: placed by position, the bold fell on "was held".
    output = place_by_anchors(SOURCE, "The meeting was held in Xiamen.", XIAMEN)
    assert output == "The meeting was held in <g1>Xiamen</g1>."
    assert prepare(f"<p>{SOURCE.replace('g1', 'b')}</p>", "html").rebuild([output]) == (
        "<p>The meeting was held in <b>Xiamen</b>.</p>"
    )


def test_markers_around_the_wrong_words_are_moved() -> None:
    output = place_by_anchors(SOURCE, "The meeting <g1>was held</g1> in xiamen.", XIAMEN)
    assert output == "The meeting was held in <g1>xiamen</g1>."


def test_markers_already_around_it_stay_as_the_model_put_them() -> None:
    kept = "The meeting was held in <g1>the city of Xiamen</g1>."
    assert place_by_anchors(SOURCE, kept, XIAMEN) == kept


def test_nothing_moves_without_certainty() -> None:
    twice = "Xiamen hosted a meeting <g1>in</g1> Xiamen."
    assert place_by_anchors(SOURCE, twice, XIAMEN) == twice  # found twice: which one is unknown
    absent = "The meeting <g1>was held</g1> in Amoy."
    assert place_by_anchors(SOURCE, absent, XIAMEN) == absent
    assert place_by_anchors(SOURCE, "The meeting <g1>was held</g1> in Xiamen.", []) == (
        "The meeting <g1>was held</g1> in Xiamen."
    )
    inside_a_word = "The meeting <g1>was held</g1> in Xiamenese."
    assert place_by_anchors(SOURCE, inside_a_word, XIAMEN) == inside_a_word


def test_other_markers_are_left_where_they_are() -> None:
    source = "<g1>市长</g1>在<g2>厦门</g2>讲话<x3/>。"
    output = place_by_anchors(source, "<g1>The mayor spoke</g1> in Xiamen<x3/>.", XIAMEN)
    assert output == "<g1>The mayor spoke</g1> in <g2>Xiamen</g2><x3/>."


@st.composite
def anchored(draw: st.DrawFn, line: str) -> str:
    """A mangled model output for `line`, its markers then moved by anchors: the words of each pair given
    as rendering a word the output holds once (so pairs do move, wherever the output put them)."""
    output = draw(model_outputs(line))
    words = strip_markers(output).split()
    once = sorted({word for word in words if words.count(word) == 1 and word.isalpha()})
    spans = [span.strip(EDGES) for span in tagged_spans(line).values()]
    renderings = [(span, draw(st.sampled_from(once))) for span in spans if span and once]
    return place_by_anchors(line, output, renderings)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_moved_markers_still_give_every_tag_back_once(data: st.DataObject) -> None:
    # Random HTML with nested inline markup and mangled model outputs whose markers anchors move.
    source = data.draw(html_documents())
    prepared = prepare(source, "html")
    lines = [line for line in prepared.text.split("\n") if line.strip()]
    english = [data.draw(anchored(line)) for line in lines]
    output = prepared.rebuild(english)
    assert tags(output) == tags(source), (source, english, output)
