"""XLIFF 1.2 and 2.0 from fixtures: every source gets its target, inline codes kept, state translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from service.jobs.formats import BadFile, read_items, write_translated

FIXTURES = Path(__file__).parent / "fixtures"
V12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
V20 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


def test_xliff_12_targets_filled_codes_kept_state_translated() -> None:
    data = (FIXTURES / "notice-1.2.xliff").read_bytes()
    [item] = read_items("notice.xliff", data)
    assert item.text.split("\n") == ["会议在<g1>厦门</g1>召开。", "详见<x1/>附件。"]
    out = write_translated(
        "notice.xliff", data, ["The meeting was held in <g1>Xiamen</g1>.", "See the attachment."]
    )
    assert out is not None
    root = etree.fromstring(out)
    units = root.findall(".//x:trans-unit", V12)
    targets = [unit.find("x:target", V12) for unit in units]
    assert targets[2] is None  # translate="no"
    first, second = targets[0], targets[1]
    assert etree.tostring(first, encoding="unicode").startswith("<target xmlns=")
    assert first.get("state") == second.get("state") == "translated"
    assert first.text == "The meeting was held in " and first[0].text == "Xiamen"
    assert first[0].attrib == {"id": "1", "ctype": "bold"}
    assert [child.get("id") for child in second] == ["2"] and second[0].get("ctype") == "image"
    assert len(units[1].findall("x:target", V12)) == 1  # the old target replaced, not doubled
    assert etree.tostring(units[0].find("x:source", V12), encoding="unicode").count("厦门") == 1


def test_xliff_20_targets_and_segment_state() -> None:
    data = (FIXTURES / "notice-2.0.xliff").read_bytes()
    assert read_items("n.xlf", data)[0].text == "会议在<g1>厦门</g1>召开。<x2/>"
    out = write_translated("n.xlf", data, ["Held in Xiamen."])  # the model dropped the codes
    assert out is not None
    segment = etree.fromstring(out).find(".//x:segment", V20)
    assert segment.get("state") == "translated"
    target = segment.find("x:target", V20)
    assert [(child.tag.split("}")[1], child.get("id")) for child in target] == [("pc", "1"), ("ph", "2")]
    assert target[0].get("dataRefStart") == "d1"


@pytest.mark.parametrize(
    ("data", "why"),
    [(b"<xliff><unclosed>", "not well-formed"), (b"<html><body/></html>", "not an XLIFF file")],
)
def test_malformed_xliff_is_a_clear_error(data: bytes, why: str) -> None:
    with pytest.raises(BadFile, match=why):
        read_items("bad.xliff", data)


def test_entities_are_not_resolved_nor_fetched(listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    data = (
        f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY leak SYSTEM "{url}/leak">]>'
        '<xliff version="1.2"><file><body><trans-unit id="1"><source>会议&leak;召开。</source>'
        "</trans-unit></body></file></xliff>"
    ).encode()
    [item] = read_items("e.xliff", data)
    out = write_translated("e.xliff", data, [item.text.replace("会议", "Meeting ")])
    assert out is not None and b"FETCHED" not in out
    assert hits == []
