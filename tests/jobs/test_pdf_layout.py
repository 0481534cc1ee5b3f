"""The PDF layout's geometry on characters made by hand: lines, columns, joins, running heads."""

from __future__ import annotations

from service.jobs.pdf_layout import (
    Char,
    Paragraph,
    drop_running,
    join_lines,
    lines_of,
    paragraphs,
    reading_order,
)


def row(text: str, x: float, top: float, size: float = 10.0) -> list[Char]:
    """Characters of a Latin line, half an em wide each, words spaced by the PDF's own space characters."""
    return [
        Char(c, x + k * size / 2, top, x + (k + 1) * size / 2, top + size, size) for k, c in enumerate(text)
    ]


def test_hyphenated_words_and_languages_join_as_they_should() -> None:
    assert join_lines("the govern-", "ment said") == "the government said"
    assert join_lines("a well-", "Known case") == "a well- Known case"  # a capital: no hyphenation
    assert join_lines("会议在", "厦门召开") == "会议在厦门召开"
    assert join_lines("the meeting", "was held") == "the meeting was held"


def test_a_gutter_cuts_a_row_and_columns_are_read_one_after_the_other() -> None:
    chars = (
        row("The council met on Monday to", 50, 100)
        + row("Later that week the mayor", 250, 100)
        + row("discuss the budget of the", 50, 115)
        + row("spoke to the press about it.", 250, 115)
        + row("city.", 50, 130)
    )
    lines = lines_of(chars, page=0)
    assert [line.text for line in lines][:2] == ["The council met on Monday to", "Later that week the mayor"]
    ordered = reading_order(list(lines), em=10.0)
    assert [item.text for item in ordered if hasattr(item, "text")] == [
        "The council met on Monday to",
        "discuss the budget of the",
        "city.",
        "Later that week the mayor",
        "spoke to the press about it.",
    ]
    blocks = paragraphs(ordered)
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == [
        "The council met on Monday to discuss the budget of the city.",
        "Later that week the mayor spoke to the press about it.",
    ]


def test_running_heads_and_page_numbers_go_and_the_body_stays() -> None:
    pages = []
    for number in (1, 2, 3):
        chars = (
            row("City Gazette", 50, 20)
            + row(f"Body text of page {number}.", 50, 100)
            + row(f"- {number} -", 280, 800)
        )
        pages.append(lines_of(chars, number - 1))
    kept = drop_running(pages, [842.0] * 3)
    assert [[line.text for line in lines] for lines in kept] == [
        ["Body text of page 1."],
        ["Body text of page 2."],
        ["Body text of page 3."],
    ]
    # One page: its head is not repeated anywhere, so it stays; its page number alone goes.
    [single] = drop_running([pages[0]], [842.0])
    assert [line.text for line in single] == ["City Gazette", "Body text of page 1."]


def test_page_numbers_in_their_usual_shapes_and_words_that_only_look_roman() -> None:
    from service.jobs.pdf_layout import _PAGE_NUMBER

    for number in ["3", "- 3 -", "第 3 页", "第3页 共12页", "Page 3 of 12", "3 / 12", "xiv", "IV"]:
        assert _PAGE_NUMBER.match(number), number
    for words in ["civic", "vivid", "I did", "3.5 %", "第三章"]:
        assert not _PAGE_NUMBER.match(words), words


def test_a_page_of_thousands_of_even_lines_is_read_top_to_bottom_without_deep_cuts() -> None:
    lines = lines_of([c for k in range(3000) for c in row(f"line {k}", 50, 10 + 2 * k, size=1.5)], 0)
    assert [line.text for line in reading_order(list(lines), em=1.5)] == [f"line {k}" for k in range(3000)]
