"""Which requests must go ahead of fair share so as not to miss their deadlines.

Admission counts all the work ahead of a request; fair share then lets later requests take turns with
it, so under steady load a long document admitted with time to spare would still run out of time. Near
its deadline, a request goes first again: flows are taken earliest deadline first up to the last one
whose work, with the work of the flows due before it, needs half or more of the time it has left.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from service.engine.pending import Flow
from service.engine.throughput import work_of

# Admission (scheduler.py): behind other work, a request must fit in half its time, since requests after
# it will share the model with it.
ADMISSION_MARGIN = 2.0
# At risk once the work due needs half the time left.
RISK_MARGIN = 2.0


def at_risk(
    flows: Sequence[tuple[Flow, list[int]]],
    seconds_for: Callable[[int], float | None],
    now: float,
    already: Collection[str] = (),
) -> list[str]:
    """Keys of the flows to serve before the round, earliest deadline first.

    `flows`: each waiting flow and its items' token counts; `seconds_for`: the measured time for an
    amount of work (None before anything was measured: then no flow is judged at risk). A flow in
    `already` (found at risk before) stays so: let go once back within its margin, it would fall behind
    again and again, and end at its deadline's edge.
    """
    dated = sorted(
        ((flow.deadline, flow.key, tokens) for flow, tokens in flows if flow.deadline is not None),
        key=lambda entry: (entry[0], entry[1]),
    )
    due, last = 0.0, -1
    for index, (deadline, _, tokens) in enumerate(dated):
        needed = seconds_for(work_of(tokens))
        if needed is None:
            return []
        due += needed
        if due * RISK_MARGIN >= deadline - now:
            last = index
    return [key for index, (_, key, _) in enumerate(dated) if index <= last or key in already]
