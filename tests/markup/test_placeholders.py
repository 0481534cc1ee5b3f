"""Placement of inline slots in whatever the model wrote: each slot exactly once, nested as a tree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.markup.placeholders import Placed, model_kept_all, restore, strip_markers

SOURCE = "会议在<g1>厦门</g1>召开，<g2>市长<g3>讲话</g3></g2>。<x4/>"


def slots_of(parts: tuple[str | Placed, ...]) -> list[int]:
    found: list[int] = []
    for part in parts:
        if isinstance(part, Placed):
            found.append(part.slot)
            found += slots_of(part.children)
    return found


def text_of(parts: tuple[str | Placed, ...]) -> str:
    return "".join(part if isinstance(part, str) else text_of(part.children) for part in parts)


def render(parts: tuple[str | Placed, ...]) -> str:
    """Back to markers, to compare with what a model would have written."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.slot == 4:
            out.append(f"<x{part.slot}/>")
        else:
            out.append(f"<g{part.slot}>{render(part.children)}</g{part.slot}>")
    return "".join(out)


def test_markers_kept_by_the_model_stay_where_it_put_them_even_reordered() -> None:
    output = "<g2>The mayor <g3>spoke</g3></g2> at the meeting in <g1>Xiamen</g1>.<x4/>"
    assert model_kept_all(SOURCE, output)
    assert render(restore(SOURCE, output)) == output


def test_spaces_and_case_in_markers_are_read() -> None:
    output = "Held in < G1 >Xiamen</ g1 >, <g2>the mayor <g3>spoke</g3></g2>. <x4 />"
    assert render(restore(SOURCE, output)) == "Held in Xiamen, the mayor spoke. <x4/>".replace(
        "Xiamen", "<g1>Xiamen</g1>"
    ).replace("the mayor spoke", "<g2>the mayor <g3>spoke</g3></g2>")


def test_dropped_markers_are_placed_by_position_around_whole_words() -> None:
    parts = restore(SOURCE, "The meeting was held in Xiamen, the mayor spoke.")
    assert sorted(slots_of(parts)) == [1, 2, 3, 4]
    assert text_of(parts) == "The meeting was held in Xiamen, the mayor spoke."
    rendered = render(parts)
    assert "<g1> " not in rendered and " </g1>" not in rendered


def test_duplicated_markers_are_not_trusted() -> None:
    output = "<g1>Xiamen</g1> and <g1>Xiamen</g1>: <g2>the mayor <g3>spoke</g3></g2>.<x4/><x4/>"
    parts = restore(SOURCE, output)
    assert sorted(slots_of(parts)) == [1, 2, 3, 4]
    assert text_of(parts) == "Xiamen and Xiamen: the mayor spoke."


def test_crossing_and_foreign_markers_are_replaced() -> None:
    output = "<g1>Xiamen <g2>hosted</g1> the mayor</g2> <g3>spoke</g3> <g9>x</g9> <x1/>"
    parts = restore(SOURCE, output)
    assert sorted(slots_of(parts)) == [1, 2, 3, 4]
    assert "g9" not in text_of(parts) and "<" not in text_of(parts)


def test_a_child_moved_out_of_its_parent_is_placed_inside_it_again() -> None:
    output = "<g3>spoke</g3> <g1>Xiamen</g1> <g2>the mayor</g2><x4/>"
    parts = restore(SOURCE, output)
    [mayor] = [part for part in parts if isinstance(part, Placed) and part.slot == 2]
    assert slots_of(mayor.children) == [3]


def test_empty_output_still_holds_every_slot() -> None:
    assert sorted(slots_of(restore(SOURCE, ""))) == [1, 2, 3, 4]


@st.composite
def sources(draw: st.DrawFn) -> str:
    counter = iter(range(1, 1000))

    def content(depth: int) -> str:
        parts = []
        for _ in range(draw(st.integers(0, 3))):
            choice = draw(st.sampled_from(["text", "pair", "atom"] if depth < 3 else ["text", "atom"]))
            if choice == "text":
                parts.append(draw(st.sampled_from(["会议", "在厦门", "召开。", " ", "新闻"])))
            elif choice == "atom":
                parts.append(f"<x{next(counter)}/>")
            else:
                slot = next(counter)
                parts.append(f"<g{slot}>{content(depth + 1)}</g{slot}>")
        return "".join(parts)

    return content(0)


@st.composite
def mangled(draw: st.DrawFn, source: str) -> str:
    """What a model might write: words, and the source's markers dropped, doubled, shuffled."""
    import re

    markers = re.findall(r"</?g\d+>|<x\d+/>", source)
    kept = draw(st.lists(st.sampled_from(markers), max_size=12)) if markers else []
    words = draw(st.lists(st.sampled_from(["The", "meeting", "Xiamen", "held", ".", " "]), max_size=8))
    pieces = draw(st.permutations(kept + words))
    return " ".join(pieces) if draw(st.booleans()) else "".join(pieces)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_slot_comes_back_exactly_once_whatever_the_model_wrote(data: st.DataObject) -> None:
    source = data.draw(sources())
    output = data.draw(mangled(source))
    parts = restore(source, output)
    import re

    expected = sorted(int(number) for number in re.findall(r"<[gx](\d+)/?>", source))
    assert sorted(slots_of(parts)) == expected
    assert text_of(parts) == strip_markers(output)


def test_placed_siblings_stay_siblings_however_many() -> None:
    """Placing by position never nests one sibling in another: 1,500 crossed pairs had nested 1,500
    deep (past the stack) before the placement kept siblings apart."""
    source = "".join(f"<g{slot}>字</g{slot}>" for slot in range(1, 1501))
    output = "".join(f"</g{slot}><g{slot}>x" for slot in range(1, 1501))
    parts = restore(source, output)
    assert sorted(part.slot for part in parts if isinstance(part, Placed)) == list(range(1, 1501))
    assert all(
        not part.children or all(isinstance(c, str) for c in part.children)
        for part in parts
        if isinstance(part, Placed)
    )
