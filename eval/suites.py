"""The evaluation suites: which files of the data folder are scored, and how.

A suite is a list of rows; a row is one scored set (sources, references, and for calibration the system
outputs to score instead of translating). FLORES is read from its gzip files and never written out.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from eval.names import reference_names
from eval.noise import make_noisy


class DataMissing(FileNotFoundError):
    """The evaluation data folder, or a file a suite needs, is not there."""


@dataclass(frozen=True)
class Row:
    name: str
    source_lang: str
    sources: tuple[str, ...]
    references: tuple[str, ...]
    system_outputs: tuple[str, ...] | None = None  # calibration: score these instead of translating
    clean_input: bool = True
    glossary: Mapping[str, str] = field(default_factory=dict)
    as_document: bool = False  # all lines are one document (its paragraphs), not one document each
    names: tuple[tuple[str, ...], ...] | None = None  # per line: the pinyin names its reference writes


@dataclass(frozen=True)
class ReferenceBullet:
    text: str
    source_lines: tuple[int, ...]


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    rows: tuple[Row, ...]
    reference_bullets: tuple[ReferenceBullet, ...] = ()


def _lines(path: Path, limit: int | None) -> tuple[str, ...]:
    if not path.is_file():
        raise DataMissing(f"evaluation file {path} is missing")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        lines = [line.rstrip("\n") for line in handle]
    return tuple(lines[:limit] if limit is not None else lines)


_FLORES_ZHO = {"zho_Hans": "zh", "zho_Hant": "zh"}
_FLORES_MULTI = {
    "yue_Hant": "zh",  # Cantonese: read as Chinese, the nearest source the models know
    "jpn_Jpan": "ja",
    "kor_Hang": "ko",
    "rus_Cyrl": "ru",
    "fra_Latn": "fr",
    "spa_Latn": "es",
    "arb_Arab": "ar",
    "vie_Latn": "vi",
}


# FLORES devtest lines from here on are the development set the segment confidence is calibrated on
# (`flores-dev`); the suites that report a figure on FLORES stop before them.
FLORES_DEV_START = 812


def _flores(data: Path, codes: Mapping[str, str], limit: int | None) -> tuple[Row, ...]:
    stop = min(limit, FLORES_DEV_START) if limit is not None else FLORES_DEV_START
    references = _lines(data / "flores200" / "eng_Latn.devtest.gz", stop)
    return tuple(
        Row(f"{code} → eng", lang, _lines(data / "flores200" / f"{code}.devtest.gz", stop), references)
        for code, lang in codes.items()
    )


def _flores_dev(data: Path, limit: int | None) -> Suite:
    """The development set: FLORES devtest zho_Hans from line FLORES_DEV_START, for fitting calibrations."""
    end = FLORES_DEV_START + limit if limit is not None else None

    def lines(name: str) -> tuple[str, ...]:
        return _lines(data / "flores200" / name, end)[FLORES_DEV_START:]

    row = Row("zho_Hans (dev) → eng", "zh", lines("zho_Hans.devtest.gz"), lines("eng_Latn.devtest.gz"))
    description = f"FLORES-200 devtest zho_Hans from line {FLORES_DEV_START + 1}: the development set"
    return Suite("flores-dev", description, (row,))


def _calibration(data: Path, limit: int | None) -> Suite:
    wmt = data / "wmt"
    rows = tuple(
        Row(
            f"{test} zh-en Online-B vs ref A",
            "zh",
            _lines(wmt / f"{test}.zh-en.src.zh", limit),
            _lines(wmt / f"{test}.zh-en.ref.A.en", limit),
            system_outputs=_lines(wmt / f"{test}.zh-en.hyp.Online-B.en", limit),
        )
        for test in ("newstest2021", "generaltest2022")
    )
    return Suite("calibration", "shipped WMT system outputs, scored to check the scorer", rows)


def _seed(data: Path, limit: int | None) -> Suite:
    seed = data / "seed"
    glossary_path = seed / "glossary.tsv"
    if not glossary_path.is_file():
        raise DataMissing(f"evaluation file {glossary_path} is missing")
    with glossary_path.open(encoding="utf-8") as handle:
        glossary = {row["zh"]: row["en"] for row in csv.DictReader(handle, delimiter="\t")}
    bullets = tuple(
        ReferenceBullet(item["bullet"], tuple(item["source_lines"]))
        for item in map(json.loads, _lines(seed / "seed.ref-bullets.jsonl", None))
    )
    row = Row(
        "seed (zh-Hant, noisy) → en",
        "zh",
        _lines(seed / "seed.zh-Hant-noisy.txt", limit),
        _lines(seed / "seed.ref.en", limit),
        glossary=glossary,
        as_document=True,
    )
    return Suite("seed", "the seed document as received, as one document", (row,), bullets)


def _noisy(data: Path, limit: int | None) -> Suite:
    clean = _flores(data, {"zho_Hant": "zh"}, limit)[0]
    noisy = tuple(make_noisy(line) for line in clean.sources)
    rows = (
        Row("clean zho_Hant → eng", "zh", clean.sources, clean.references),
        Row("noisy zho_Hant, cleaned → eng", "zh", noisy, clean.references),
        Row("noisy zho_Hant, as received → eng", "zh", noisy, clean.references, clean_input=False),
    )
    return Suite("noisy", "FLORES zho_Hant with seed-style pinyin and half-width punctuation", rows)


def _single(name: str, description: str, source: str, reference: str) -> Callable[[Path, int | None], Suite]:
    def load(data: Path, limit: int | None) -> Suite:
        row = Row(name, "zh", _lines(data / source, limit), _lines(data / reference, limit))
        return Suite(name, description, (row,))

    return load


# The WMT zh-en news sets that examples are drawn from (issue 26): no suite that claims a quality figure
# may hold their lines. (source, reference) under the data folder.
EXAMPLE_POOL = (
    ("wmt/newstest2017.zh-en.zh", "wmt/newstest2017.zh-en.en"),
    ("wmt/newstest2018.zh-en.zh", "wmt/newstest2018.zh-en.en"),
)
# The WMT zh-en news sets the `names` suite is drawn from, oldest first: the later ones, outside the pool.
_WMT_ZH_EN = (
    ("wmt/newstest2019.zh-en.zh", "wmt/newstest2019.zh-en.en"),
    ("wmt/newstest2021.zh-en.src.zh", "wmt/newstest2021.zh-en.ref.A.en"),
)


def _wmt_pairs(data: Path) -> Iterator[tuple[str, str]]:
    """Every (source, reference) line of the names suite's WMT sets, a set at a time as reached."""
    for source, reference in _WMT_ZH_EN:  # all present, or a missing one said before any work is done
        for path in (data / source, data / reference):
            if not path.is_file():
                raise DataMissing(f"evaluation file {path} is missing")
    for source, reference in _WMT_ZH_EN:
        yield from zip(_lines(data / source, None), _lines(data / reference, None), strict=True)


def _names(data: Path, limit: int | None) -> Suite:
    # The limit counts kept lines, so names are looked for only until that many are found.
    sources: list[str] = []
    references: list[str] = []
    names: list[tuple[str, ...]] = []
    for source, reference in _wmt_pairs(data):
        if limit is not None and len(sources) >= limit:
            break
        found = reference_names(source, reference)
        if found:
            sources.append(source)
            references.append(reference)
            names.append(found)
    row = Row("WMT zh-en lines with names", "zh", tuple(sources), tuple(references), names=tuple(names))
    description = (
        "WMT zh-en news sentences (newstest2019 and 2021) whose reference names a person or place in pinyin, "
        "scored by name accuracy beside chrF"
    )
    return Suite("names", description, (row,))


def without_glossaries(suite: Suite) -> Suite:
    """The suite with every row's own glossary taken away: only the service's built-in and automatic
    renderings apply (`gazette eval --no-glossary`)."""
    return replace(suite, rows=tuple(replace(row, glossary={}) for row in suite.rows))


SUITES: dict[str, Callable[[Path, int | None], Suite]] = {
    "calibration": _calibration,
    "seed": _seed,
    "flores-zho": lambda data, limit: Suite(
        "flores-zho", "FLORES-200 devtest, Chinese → English", _flores(data, _FLORES_ZHO, limit)
    ),
    "flores-zho-hans": lambda data, limit: Suite(
        "flores-zho-hans",
        "FLORES-200 devtest, Simplified Chinese → English (the confidence's Spearman figure)",
        _flores(data, {"zho_Hans": "zh"}, limit),
    ),
    "flores-dev": _flores_dev,
    "flores-multi": lambda data, limit: Suite(
        "flores-multi", "FLORES-200 devtest, other sources → English", _flores(data, _FLORES_MULTI, limit)
    ),
    "wmt19-zh": _single(
        "wmt19-zh", "WMT newstest2019 zh-en", "wmt/newstest2019.zh-en.zh", "wmt/newstest2019.zh-en.en"
    ),
    "tico19": _single(
        "tico19", "TICO-19 test, public health", "tico19/tico19-test.en-zh.zh", "tico19/tico19-test.en-zh.en"
    ),
    "noisy": _noisy,
    "names": _names,
}


def load_suite(name: str, data: Path | None, limit: int | None = None) -> Suite:
    if data is None or not data.is_dir():
        raise DataMissing(
            "no evaluation data folder: put it at ../shared/eval beside the checkout, or set GAZETTE_DATA_DIR"
        )
    if name not in SUITES:
        raise KeyError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
    return SUITES[name](data, limit)
