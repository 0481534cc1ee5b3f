"""TMX 1.4b out and in: Gazette's own export re-imports losslessly, and another tool's file imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.memory import MemoryStore, person_entry
from service.memory.keys import person_key
from service.memory.store import MemoryEntry
from service.memory.tmx import BadTmx, read_tmx, tmx_bytes

# In the shape the standard gives (TMX 1.4b, section 3 example), as OmegaT and Trados write it: a header
# with srclang, props and notes on the unit, locales for languages, and inline codes in a segment.
FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6.0.0" datatype="PlainText" segtype="sentence"
          adminlang="EN-US" srclang="ZH-CN" o-tmf="OmegaT TMX">
    <prop type="x-project">gov-news</prop>
  </header>
  <body>
    <tu tuid="42" creationdate="20250102T030405Z" creationid="li.wei" changedate="20250203T040506Z">
      <prop type="x-domain">economy</prop>
      <note>checked against the ministry's own English</note>
      <tuv xml:lang="ZH-CN"><seg>国务院召开常务会议。</seg></tuv>
      <tuv xml:lang="EN-US"><seg>The State Council held an executive meeting.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="zh-CN"><seg>会议在<bpt i="1">&lt;b&gt;</bpt>厦门<ept i="1">&lt;/b&gt;</ept>召开。</seg></tuv>
      <tuv xml:lang="en-GB"><seg>The meeting was held in <bpt i="1">&lt;b&gt;</bpt>Xiamen<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="zh-CN"><seg>只有一种语言。</seg></tuv>
    </tu>
  </body>
</tmx>
"""


def test_a_tmx_file_of_another_tool_imports_with_its_props_notes_and_dates() -> None:
    entries = read_tmx(FOREIGN.encode(), "newsroom")
    assert [(e.source, e.translation) for e in entries] == [
        ("国务院召开常务会议。", "The State Council held an executive meeting."),
        ("会议在厦门召开。", "The meeting was held in Xiamen."),
    ]  # the unit without English is skipped; inline codes are the tool's markup, not text
    first = entries[0]
    assert (first.tenant, first.origin, first.source_lang) == ("newsroom", "person", "zh")
    assert first.key == person_key("zh", "国务院召开常务会议。")
    assert first.extra["props"] == [["x-domain", "economy"]]
    assert first.extra["notes"] == ["checked against the ministry's own English"]
    assert first.created == 1735787045.0 and first.updated == 1738555506.0


def test_an_export_re_imports_losslessly(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "one.sqlite3")
    store.put(read_tmx(FOREIGN.encode(), "newsroom"))
    store.put([person_entry("newsroom", "zh", "厦门市召开大会。", "Xiamen held a conference.")])
    store.put(
        [
            MemoryEntry(
                "newsroom", "model:abc", "model", "zh", "大会召开。", "The conference opened.", "q.gguf"
            )
        ]
    )
    exported = tmx_bytes(store.entries("newsroom", "person"))
    again = MemoryStore(tmp_path / "two.sqlite3")
    again.put(read_tmx(exported, "newsroom"))
    assert tmx_bytes(again.entries("newsroom", "person")) == exported
    # TMX dates are to the second: so are the times that come back.
    assert [(e.key, e.source, e.translation, int(e.created)) for e in again.entries("newsroom")] == [
        (e.key, e.source, e.translation, int(e.created)) for e in store.entries("newsroom", "person")
    ]
    whole = tmx_bytes(store.entries("newsroom")).decode()
    assert '<prop type="x-gazette-origin">model</prop>' in whole and "q.gguf" in whole


def test_a_person_entry_is_never_overwritten_by_a_model_entry(db_target: str | Path) -> None:
    store = MemoryStore(db_target)  # on SQLite, then PostgreSQL
    person = person_entry("t", "zh", "大会召开。", "The conference opened.")
    store.put([person])
    model = MemoryEntry("t", person.key, "model", "zh", person.source, "Conference open.")
    assert store.put([model]) == 0
    assert store.lookup("t", [person.key])[person.key].translation == "The conference opened."


@pytest.mark.parametrize(
    "data, says",
    [(b"<tmx><body>", "well-formed"), (b"<xliff/>", "not <tmx>")],
)
def test_a_file_that_is_not_tmx_is_refused_with_why(data: bytes, says: str) -> None:
    with pytest.raises(BadTmx, match=says):
        read_tmx(data, "t")


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY leak SYSTEM "file://{secret}">]>
<tmx version="1.4"><header srclang="zh"/><body><tu>
<tuv xml:lang="zh"><seg>会议。&leak;</seg></tuv><tuv xml:lang="en"><seg>Meeting.</seg></tuv>
</tu></body></tmx>""".encode()
    assert all("SECRET" not in entry.source for entry in read_tmx(data, "t"))


def test_characters_xml_cannot_hold_are_left_out_of_an_export() -> None:
    # Found by the API fuzzer: a correction holding a control character made GET /v1/memory.tmx a 500.
    entry = person_entry("newsroom", "zh", "大会\x00召开。", "The\x1b conference\ufffe opened.\ttoday")
    (unit,) = read_tmx(tmx_bytes([entry]), "newsroom")
    assert (unit.source, unit.translation) == ("大会召开。", "The conference opened.\ttoday")
