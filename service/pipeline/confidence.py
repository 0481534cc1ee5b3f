"""A confidence per segment: how likely its translation is to be right, from what the model already computed
(the log-probabilities of the tokens it wrote) and the checks that fired on it, as a number in [0, 1].

The number is a logistic function of those signals, fitted to sentence-level chrF (divided by 100) on a
development set: `gazette eval --suite flores-dev --fit-confidence` prints the coefficients below. Read it as
the chrF / 100 the sentence can be expected to score: 0.5 is an average sentence of the development set; its
use is to rank sentences (which to check first), and below `LOW` it says "check this one".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from service.models.backend import Generation

# Below this a segment is marked for checking (the web form; "low" in eval reports): on the development set,
# the lowest fifth of the lines, whose mean chrF was 43.9 against the others' 51.4.
LOW = 0.45
# A person's correction or import, recalled from the memory: trusted as written.
PERSON = 1.0


@dataclass(frozen=True)
class ConfidenceBasis:
    """What a segment's confidence is computed from."""

    mean_logprob: float  # over every token the model wrote for the segment, retries and fragments included
    min_logprob: float  # the least likely token it wrote
    warnings: int  # the segment's own warnings: checks that fired, rescues that were needed
    tokens: int


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(intercept + mean · mean_logprob + least · min_logprob + warning · warnings)."""

    intercept: float
    mean: float
    least: float
    warning: float
    fitted_on: str = ""

    def confidence(self, basis: ConfidenceBasis) -> float:
        z = (
            self.intercept
            + self.mean * basis.mean_logprob
            + self.least * max(basis.min_logprob, -30.0)  # a token llama.cpp all but ruled out: -30 is as bad
            + self.warning * basis.warnings
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


# Fitted with Qwen2.5-Coder-1.5B (qwen-pypi, prompt v5) on the first 96 lines of flores-dev (FLORES devtest
# zho_Hans 813-908), by eval/confidence.py's fit_calibration: Spearman 0.445 with sentence chrF there (the
# mean log-probability alone: 0.443; the lowest alone: 0.348). The warning weight sits at its bound: checks
# fired on 4 % of those lines, too few to learn from. Other models use it as it is (uncalibrated for them).
CALIBRATION = Calibration(
    intercept=0.8508, mean=1.5942, least=0.111, warning=-0.25, fitted_on="flores-dev (96 lines), qwen-pypi"
)


def basis_of(generations: Sequence[Generation], warnings: int) -> ConfidenceBasis | None:
    """The basis from the generations that made a segment; None where the engine gave no scores."""
    scored = [g for g in generations if g.mean_logprob is not None and g.new_tokens > 0]
    if not scored:
        return None
    tokens = sum(g.new_tokens for g in scored)
    mean = sum((g.mean_logprob or 0.0) * g.new_tokens for g in scored) / tokens
    lows = [g.min_logprob for g in scored if g.min_logprob is not None]
    return ConfidenceBasis(round(mean, 4), round(min(lows, default=mean), 4), warnings, tokens)


def confidence_of(basis: ConfidenceBasis | None, calibration: Calibration = CALIBRATION) -> float | None:
    return None if basis is None else calibration.confidence(basis)


def combined(bases: Sequence[ConfidenceBasis | None]) -> ConfidenceBasis | None:
    """Several segments' bases as one (a line of an evaluation set that was split into sentences)."""
    known = [basis for basis in bases if basis is not None]
    if not known:
        return None
    tokens = sum(basis.tokens for basis in known)
    mean = sum(basis.mean_logprob * basis.tokens for basis in known) / max(tokens, 1)
    least = min(basis.min_logprob for basis in known)
    return ConfidenceBasis(round(mean, 4), least, sum(basis.warnings for basis in known), tokens)
