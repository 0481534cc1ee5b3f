"""`gazette bench`: the HTTP service under load, beside the engine's own batch ceiling.

Phases, each on its own so they never share the cores: the engine in process (one batch, timed), then a
`gazette serve` subprocess (idle latency, a closed loop of clients, a one-sentence request behind a large
document, shutdown). `command.py` is the adapter; the rest is plain functions over settings and figures.
"""
