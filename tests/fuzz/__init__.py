"""Property-based fuzzing of the HTTP APIs: strategies, checks and the harness that `tests/test_fuzz.py`
(a bounded run) and `scripts/fuzz` (10,000 requests) share."""
