"""How a caller's work can end other than with its outputs: each maps to one HTTP status in the API."""

from __future__ import annotations


class Overloaded(Exception):
    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(f"{waiting} sentences are already waiting for the model; try again shortly")
        self.retry_after = retry_after


class QueueTimeout(Exception):
    pass


class TooMuchWork(Exception):
    """The request alone needs more model time than it may take: refused before any of it runs."""

    def __init__(self, seconds: float, allowed: float) -> None:
        super().__init__(
            f"this request needs about {seconds:.0f} s of model time at the measured rate, more than the "
            f"{allowed:.0f} s a request may take; send it as a batch job (POST /v1/jobs) or in smaller parts"
        )
        self.seconds = seconds


class BackendFailed(Exception):
    """The model (or the scheduler around it) failed on a batch this caller had items in."""


class ShuttingDown(Exception):
    """The service is stopping: nothing more is taken, and what waited is answered with this."""
