"""Whether a request can be answered within its time, judged before any of it is queued.

Requests share the model in turns (`pending.py`: one item per request per round, the round's items run
as one batch), so a newcomer does not wait behind all the work ahead of it: a one-line request sent
while a 160-sentence document runs takes its turn in the next batch. What it costs is its own work
once per request taking turns with it, as long as those requests last (callers that keep sending keep
sharing), at the rate the model runs at with that many items at once (`throughput.py`).

- Alone, a request needs its own time within all of its timeout (else `TooMuchWork`: it will never fit).
- Behind others, that shared time must fit in half its timeout (`ADMISSION_MARGIN`), since requests that
  come after it will share the model too; else `Overloaded`, with the time until enough of the requests
  ahead have finished for it to fit (served in turns, the smallest finish first).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from service.engine.deadlines import ADMISSION_MARGIN
from service.engine.pending import Ticket
from service.engine.throughput import work_of

SecondsFor = Callable[[int], float | None]  # seconds for an amount of work, at a given concurrency


@dataclass(frozen=True)
class RequestWork:
    own: int  # the request's work: these items, and its own work already waiting (its other documents)
    others: tuple[int, ...]  # the work of each other request ahead of it

    @classmethod
    def of(cls, tokens: Sequence[int], flow_key: str, ahead: Iterable[Ticket[Any]]) -> RequestWork:
        """New items of `tokens` for the flow `flow_key`, behind the tickets `ahead` (pending or in flight,
        of its class or above). All of a request's work must be answered by its deadline, so what it has
        waiting already counts as its own."""
        own = work_of(tokens)
        others: dict[str, int] = {}
        for ticket in ahead:
            if ticket.flow.key == flow_key:
                own += work_of([ticket.tokens])
            else:
                others[ticket.flow.key] = others.get(ticket.flow.key, 0) + work_of([ticket.tokens])
        return cls(own, tuple(others.values()))


@dataclass(frozen=True)
class Verdict:
    admitted: bool
    own_seconds: float | None  # its own work at the measured rate (None: nothing measured yet)
    alone_fits: bool  # False: it cannot fit its timeout even with the model to itself
    retry_after: int = 0  # seconds until it would be admitted, when it is not


def judge(request: RequestWork, seconds_for: SecondsFor, allowed: float) -> Verdict:
    """Whether `request` fits `allowed` seconds; `seconds_for`: the measured time of work at the
    concurrency it will run at."""
    own, others = request.own, request.others
    own_seconds = seconds_for(own)
    if own_seconds is None:
        return Verdict(True, None, True)  # nothing measured yet: nothing to judge by
    if own_seconds > allowed:
        return Verdict(False, own_seconds, False)
    if not others:
        return Verdict(True, own_seconds, True)
    shared = (seconds_for(own * (len(others) + 1)) or 0.0) * ADMISSION_MARGIN
    if shared <= allowed:
        return Verdict(True, own_seconds, True)
    return Verdict(False, own_seconds, True, _wait(own_seconds, others, seconds_for, allowed))


def _wait(own_seconds: float, others: Sequence[int], seconds_for: SecondsFor, allowed: float) -> int:
    """Seconds until few enough requests are left for it to fit: in turns, each request ahead that
    finishes has used, by then, as much as its own work from every one of them that lasts as long."""
    may_share = max(0, math.floor(allowed / (ADMISSION_MARGIN * own_seconds)) - 1)
    must_finish = len(others) - may_share
    ordered = sorted(others)
    last = ordered[must_finish - 1]
    spent = sum(min(work, last) for work in ordered)
    return max(1, math.ceil(seconds_for(spent) or 0.0))
