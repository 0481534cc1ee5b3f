"""Latin text inside Chinese: what is kept as it is, and how what a model lost is put back."""

from __future__ import annotations

import pytest

from service.text.latin import keep_latin, latin_runs
from service.text.normalize import has_han


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("GB 18030 一 2022", ["GB 18030", "2022"]),
        ("3.1 字符 character", ["character"]),
        ("3.5 保留区 reserved zone", ["reserved zone"]),
        ("ISO/IEC 10646:2017 信息技术", ["ISO/IEC 10646:2017"]),
        ("详见 https://www.gov.cn/zhengce/a.htm。", ["https://www.gov.cn/zhengce/a.htm"]),
        ("联系邮箱：service@samr.gov.cn", ["service@samr.gov.cn"]),
        ("一季度增长5.3%，投资3000万元，达12000元。", ["12000"]),  # amounts are the model's to carry
        ("会议在<g1>厦门</g1>召开<x2/>。", []),  # markup's markers are not the sentence's Latin
    ],
)
def test_the_runs_kept_as_they_are(text: str, runs: list[str]) -> None:
    assert latin_runs(text) == runs


def test_what_the_model_lost_is_put_back_and_named() -> None:
    assert keep_latin("3.1 字符 character", "3.1 Characters character") == ("3.1 Characters character", [])
    assert keep_latin("3.1 字符 character", "3.1 Characters") == ("3.1 Characters character", ["character"])
    assert keep_latin("GB 18030 一 2022", "Gb 18030-2022") == ("Gb 18030-2022 GB 18030", ["GB 18030"])
    assert keep_latin("GB 18030 一 2022", "GB 18030 One") == ("GB 18030 One 2022", ["2022"])
    assert keep_latin("达12000元。", "reached 12,000 yuan.") == ("reached 12,000 yuan.", [])


def test_han() -> None:
    assert has_han("GB 18030 一 2022") and not has_han("GB 18030 — 2022。")
