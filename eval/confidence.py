"""How well the segments' confidence ranks them: Spearman's rank correlation with sentence-level chrF, and
the fit of the calibration (service/pipeline/confidence.py) on a development set's lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

from service.pipeline.confidence import LOW, Calibration, ConfidenceBasis


class Scored(Protocol):
    """A scored line (eval.runner.LineResult)."""

    @property
    def chrf(self) -> float: ...

    @property
    def confidence(self) -> float | None: ...

    @property
    def basis(self) -> ConfidenceBasis | None: ...


def confidence_summary(lines: Sequence[Scored]) -> dict[str, Any] | None:
    """Spearman's rho between confidence and sentence chrF over the lines that have a confidence, and the
    mean chrF of the lines marked low against the others'. None when no line has a confidence."""
    from scipy.stats import spearmanr

    scored = [line for line in lines if line.confidence is not None]
    if not scored:
        return None
    confidences = [line.confidence for line in scored]
    chrfs = [line.chrf for line in scored]
    low = [line.chrf for line in scored if (line.confidence or 0.0) < LOW]
    high = [line.chrf for line in scored if (line.confidence or 0.0) >= LOW]
    # Fewer than two lines, or every confidence the same, has no rank correlation: reported as none.
    result = spearmanr(confidences, chrfs) if len(set(confidences)) > 1 and len(scored) > 2 else None
    rho = None if result is None or math.isnan(result.statistic) else round(float(result.statistic), 3)
    return {
        "spearman": rho,
        "p_value": None if rho is None or result is None else float(f"{result.pvalue:.3g}"),
        "lines": len(scored),
        "mean": round(sum(confidences) / len(scored), 3),  # type: ignore[arg-type]
        "low": len(low),
        "low_chrf": round(sum(low) / len(low), 2) if low else None,
        "other_chrf": round(sum(high) / len(high), 2) if high else None,
    }


WARNING_AT_MOST = -0.25  # the least a warning takes off the log-odds


def fit_calibration(lines: Sequence[Scored], fitted_on: str) -> Calibration:
    """The logistic calibration that best predicts chrF / 100 from each line's basis (least squares)."""
    import numpy as np
    from scipy.optimize import least_squares

    known = [(line.basis, line.chrf / 100) for line in lines if line.basis is not None]
    if len(known) < 10:
        raise ValueError(f"{len(known)} lines with a confidence basis: too few to fit a calibration")
    features = np.array(
        [[1.0, b.mean_logprob, max(b.min_logprob, -30.0), b.warnings] for b, _ in known], dtype=float
    )
    targets = np.array([target for _, target in known], dtype=float)

    def residuals(weights: Any) -> Any:
        return 1.0 / (1.0 + np.exp(-(features @ weights))) - targets

    # A check that fired never raises the confidence, and always lowers it somewhat: on a clean development
    # set checks fire too rarely for the fit to learn what an untranslated or looping sentence is worth.
    upper = np.array([np.inf, np.inf, np.inf, WARNING_AT_MOST])
    fitted = least_squares(
        residuals, x0=np.array([0.0, 1.0, 0.0, -0.5]), bounds=(-np.inf, upper), loss="soft_l1"
    ).x
    intercept, mean, least, warning = (round(float(value), 4) for value in fitted)
    return Calibration(intercept, mean, least, warning, fitted_on)
