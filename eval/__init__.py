"""The evaluation harness: `gazette eval`. Scores the service's own pipeline on the sets in the data folder
(`../shared/eval` by default), with calibrated sacrebleu metrics, the service's reference-free checks, and
JSON / Markdown / HTML reports."""

# Listed here, light to import, for the command line's --suite choices; eval/suites.py defines them.
SUITE_NAMES = (
    "calibration",
    "seed",
    "flores-zho",
    "flores-zho-hans",
    "flores-dev",
    "flores-multi",
    "wmt19-zh",
    "tico19",
    "noisy",
    "names",
)
