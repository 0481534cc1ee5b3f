"""Reference-based scores: sacrebleu's BLEU, chrF and chrF++ with their defaults (13a tokenisation,
English target), which reproduce the official WMT figures; ROUGE for summary bullets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sacrebleu.metrics import BLEU, CHRF


@dataclass(frozen=True)
class CorpusScores:
    bleu: float
    chrf: float
    chrf_plus_plus: float
    signatures: dict[str, str]


@lru_cache(maxsize=1)
def _metrics() -> tuple[BLEU, CHRF, CHRF]:
    return BLEU(), CHRF(), CHRF(word_order=2)


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> CorpusScores:
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} outputs for {len(references)} references")
    bleu, chrf, chrf_pp = _metrics()
    refs = [list(references)]
    return CorpusScores(
        bleu=round(bleu.corpus_score(list(hypotheses), refs).score, 2),
        chrf=round(chrf.corpus_score(list(hypotheses), refs).score, 2),
        chrf_plus_plus=round(chrf_pp.corpus_score(list(hypotheses), refs).score, 2),
        signatures={
            "bleu": str(bleu.get_signature()),
            "chrf": str(chrf.get_signature()),
            "chrf++": str(chrf_pp.get_signature()),
        },
    )


def segment_chrf(hypothesis: str, reference: str) -> float:
    return round(_metrics()[1].sentence_score(hypothesis, [reference]).score, 2)


def rouge(candidates: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """ROUGE-1/2/L F1 (x100) of the candidate bullets, joined, against the reference bullets, joined."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = scorer.score("\n".join(references), "\n".join(candidates))
    return {name: round(score.fmeasure * 100, 2) for name, score in scores.items()}
