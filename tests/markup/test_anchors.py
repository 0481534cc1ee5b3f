"""Markers moved around the English of the glossary term they hold (`service.markup.anchors`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.markup.anchors import place_by_anchors, tagged_spans
from service.markup.documents import prepare
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


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_moved_markers_still_give_every_tag_back_once(data: st.DataObject) -> None:
    # Random HTML with nested inline markup, mangled model outputs, and the words of the sample's markup
    # given renderings that those outputs hold (so pairs do move): the tags stay the input's.
    source = data.draw(html_documents())
    prepared = prepare(source, "html")
    lines = [line for line in prepared.text.split("\n") if line.strip()]
    renderings = [("在厦门", "Xiamen"), ("会议", "meeting"), ("召开。", "held"), ("市长", "The")]
    english = [place_by_anchors(line, data.draw(model_outputs(line)), renderings) for line in lines]
    output = prepared.rebuild(english)
    assert tags(output) == tags(source), (source, english, output)
