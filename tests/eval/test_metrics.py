from __future__ import annotations

from pathlib import Path

import pytest

from eval.metrics import corpus_scores, rouge, segment_chrf
from eval.suites import load_suite


@pytest.mark.eval_data
def test_calibration_reproduces_the_official_wmt_figures(eval_dir: Path) -> None:
    rows = load_suite("calibration", eval_dir).rows
    scores = [corpus_scores(row.system_outputs or (), row.references) for row in rows]
    assert [(s.bleu, s.chrf) for s in scores] == [(32.41, 61.34), (28.75, 58.23)]
    assert "tok:13a" in scores[0].signatures["bleu"]


def test_identical_output_scores_full_marks_and_noise_scores_low() -> None:
    reference = "Tong'an District held a quality conference on September 29."
    assert segment_chrf(reference, reference) == 100.0
    assert segment_chrf("Bananas are yellow.", reference) < 20
    assert corpus_scores([reference], [reference]).bleu == 100.0


def test_outputs_and_references_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 outputs for 1 references"):
        corpus_scores(["a", "b"], ["a"])


def test_rouge_rewards_overlap() -> None:
    references = ["High-tech industry added value grew 24.5% year on year."]
    close = rouge(["High-tech industry value added grew 24.5%."], references)
    far = rouge(["The weather was pleasant."], references)
    assert close["rouge1"] > 60 > far["rouge1"]
