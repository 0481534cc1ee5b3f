from __future__ import annotations

import pytest

from service.text.budget import split_to_budget


def chars(text: str) -> int:
    return len(text)


def test_a_sentence_that_fits_is_one_piece() -> None:
    assert split_to_budget("短句。", chars, 10) == ["短句。"]


def test_long_sentence_is_cut_after_clause_marks() -> None:
    sentence = "同安区始终坚持工业立区，不断完善政策举措，推动高质量发展，取得显著进展。"
    pieces = split_to_budget(sentence, chars, 20)
    assert "".join(pieces) == sentence
    assert all(chars(piece) <= 20 for piece in pieces)
    assert all(piece.endswith(("，", "。")) for piece in pieces)


def test_without_clause_marks_it_cuts_at_spaces_then_characters() -> None:
    words = "alpha beta gamma delta epsilon zeta"
    pieces = split_to_budget(words, chars, 12)
    assert "".join(pieces) == words
    assert all(chars(piece) <= 12 for piece in pieces)
    assert pieces[0] == "alpha beta "
    unbroken = "x" * 25
    assert split_to_budget(unbroken, chars, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_token_counts_from_a_tokenizer_like_function() -> None:
    def tokens(text: str) -> int:  # two characters a token, plus an end-of-sentence token
        return (len(text) + 1) // 2 + 1

    sentence = "，".join(["质量强区"] * 12) + "。"
    pieces = split_to_budget(sentence, tokens, 8)
    assert "".join(pieces) == sentence
    assert all(tokens(piece) <= 8 for piece in pieces)


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_to_budget("a", chars, 0)
