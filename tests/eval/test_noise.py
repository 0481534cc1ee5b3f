from __future__ import annotations

from eval.noise import make_noisy
from service.text.normalize import clean

CLEAN = "同安區始終堅持工業立區、質量強區戰略，不斷完善政策舉措；推動全區高質量發展。"


def test_noise_adds_tone_marked_pinyin_and_half_width_marks() -> None:
    noisy = make_noisy(CLEAN, rate=0.5)
    assert "(" in noisy and "," in noisy and ";" in noisy
    assert "，" not in noisy and "；" not in noisy


def test_noise_is_deterministic_and_the_normaliser_undoes_it() -> None:
    noisy = make_noisy(CLEAN, rate=0.5, seed=3)
    assert noisy == make_noisy(CLEAN, rate=0.5, seed=3)
    assert clean(noisy).text == CLEAN


def test_rate_zero_only_changes_punctuation() -> None:
    assert make_noisy(CLEAN, rate=0.0) == CLEAN.replace("，", ",").replace("；", ";")
