"""Which requests must go ahead of fair share so as not to miss their deadlines.

Fair share lets later requests take turns with one admitted earlier, so under steady load a long
document admitted with time to spare could still run out of time. Near its deadline, a request goes
first again: flows are taken earliest deadline first up to the last one whose work, with the work of
the flows due before it, needs half or more of the time it has left.

A flow found at risk stays first until it could be let go without falling behind again: until its own
work, served in turns with every flow waiting now (its time once per flow), needs less than half the time
it has left. Let go as soon as it was back within half, it fell behind again and ended at its deadline's
edge; never let go, a document judged at risk on a rate measured before it ran (single sentences are
several times slower per item than the batches it then runs in) kept a newcomer behind it to its end.
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
    amount of work at the concurrency now running (None before anything was measured: then no flow is
    judged at risk). A flow in `already` (found at risk before) stays so while its work, in turns with
    every flow waiting, would need half or more of the time it has left.
    """
    dated = sorted(
        ((flow.deadline, flow.key, tokens) for flow, tokens in flows if flow.deadline is not None),
        key=lambda entry: (entry[0], entry[1]),
    )
    due, last = 0.0, -1
    kept: set[str] = set()
    for index, (deadline, key, tokens) in enumerate(dated):
        needed = seconds_for(work_of(tokens))
        if needed is None:
            return []
        due += needed
        left = deadline - now
        if due * RISK_MARGIN >= left:
            last = index
        elif key in already and needed * len(flows) * RISK_MARGIN >= left:
            kept.add(key)
    return [key for index, (_, key, _) in enumerate(dated) if index <= last or key in kept]
