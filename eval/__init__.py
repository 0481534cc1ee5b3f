"""The evaluation harness: `gazette eval`. Scores the service's own pipeline on the sets in the data folder
(`../shared/eval` by default), with calibrated sacrebleu metrics, the service's reference-free checks, and
JSON / Markdown / HTML reports."""
