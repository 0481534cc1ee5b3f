"""What waits for the model: priority classes, a line per flow inside each, and how a batch is chosen.

Pure bookkeeping, no asyncio: the scheduler owns the futures, this module only decides who goes next.
- Priority: a batch is taken from the highest class that has work. Bulk items may fill the rest of an
  interactive batch only when they are no longer than its longest item, so they never lengthen it.
- Fair share: within a class, flows (requests) are served round-robin, one item each per turn, the flow
  served least recently first; so a 1,000-sentence document and a one-sentence request interleave.
- Length-aware: a flow's own line is kept shortest first (a request needs all its items anyway), and an
  item joins a batch only while the batch's padded size (items x longest) fits the token budget. Items
  with a rank (a streamed document, read from the top) go first in their flow, in rank order.
- A reader's top: the first segment of a streamed document someone is waiting on (rank 0, interactive)
  is named by `reader_waiting_on`, for an engine to run it on its own (`scheduler.py`).
- Deadlines: the scheduler may name flows to serve before the round (those that would otherwise miss
  their deadline, earliest first): fair share must not let newcomers starve a request already admitted.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Generic, TypeVar


class Priority(IntEnum):
    INTERACTIVE = 0  # a person or a caller waiting on the answer: HTTP, the web form
    BULK = 1  # work nobody watches item by item: jobs, `gazette batch`, eval


@dataclass(frozen=True)
class Flow:
    """Who asked: every item of one request shares a flow, so fair share is across requests."""

    key: str
    priority: Priority = Priority.INTERACTIVE
    deadline: float | None = None  # time.monotonic() by which the whole request must be answered


Payload = TypeVar("Payload")


@dataclass(eq=False)
class Ticket(Generic[Payload]):
    """One item's place in line."""

    flow: Flow
    tokens: int
    payload: Payload = field(repr=False)
    order: int = 0  # admission order, to keep equal lengths first come, first served
    rank: int | None = None  # reading order within the flow (QueueItem.rank)

    def place(self) -> tuple[int, int, int]:
        """Where it stands in its flow's line: ranked items first by rank, then the others shortest first."""
        return (0, self.rank, self.order) if self.rank is not None else (1, self.tokens, self.order)


class PendingWork(Generic[Payload]):
    def __init__(self) -> None:
        self._classes: dict[Priority, OrderedDict[str, list[Ticket[Payload]]]] = {
            priority: OrderedDict() for priority in Priority
        }
        self._count = 0
        self._admitted = 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Ticket[Payload]]:
        for flows in self._classes.values():
            for line in flows.values():
                yield from line

    def add(self, ticket: Ticket[Payload]) -> None:
        self._admitted += 1
        ticket.order = self._admitted
        line = self._classes[ticket.flow.priority].setdefault(ticket.flow.key, [])
        bisect.insort(line, ticket, key=Ticket.place)
        self._count += 1

    def remove(self, ticket: Ticket[Payload]) -> bool:
        """Take a ticket out of line (its caller gave up); False if it was not waiting."""
        flows = self._classes[ticket.flow.priority]
        line = flows.get(ticket.flow.key)
        if line is None or ticket not in line:
            return False
        line.remove(ticket)
        if not line:
            del flows[ticket.flow.key]
        self._count -= 1
        return True

    def drain(self) -> list[Ticket[Payload]]:
        everything = list(self)
        for flows in self._classes.values():
            flows.clear()
        self._count = 0
        return everything

    def waiting_flows(self, priority: Priority) -> list[tuple[Flow, list[int]]]:
        """Each flow with items waiting in a class, and its items' token counts."""
        return [(line[0].flow, [t.tokens for t in line]) for line in self._classes[priority].values()]

    def reader_waiting_on(self) -> str | None:
        """The key of an interactive flow whose next item is the top of a document a reader waits on."""
        return next(
            (key for key, line in self._classes[Priority.INTERACTIVE].items() if is_top(line[0])), None
        )

    def take(self, max_size: int, max_tokens: int, first: Sequence[str] = ()) -> list[Ticket[Payload]]:
        """The next batch: at least one item whenever anything waits, however long it is.

        The flows named in `first` (keys of flows at risk of missing their deadline) are served before
        the round, one after the other in the order given, each as far as the batch has room.
        """
        chosen: list[Ticket[Payload]] = []
        for priority in Priority:
            # Lower classes only fill room in a batch already started, and only with items that do
            # not make it longer than it is.
            cap = max((t.tokens for t in chosen), default=None)
            flows = self._classes[priority]
            for key in first:
                self._drain_flow(flows, key, chosen, max_size, max_tokens, cap)
            self._round_robin(flows, chosen, max_size, max_tokens, cap)
        self._count -= len(chosen)
        return chosen

    @staticmethod
    def _drain_flow(
        flows: OrderedDict[str, list[Ticket[Payload]]],
        key: str,
        chosen: list[Ticket[Payload]],
        max_size: int,
        max_tokens: int,
        cap: int | None,
    ) -> None:
        """As many of one flow's items as fit, shortest first."""
        line = flows.get(key, [])
        longest = max((t.tokens for t in chosen), default=0)
        while line and len(chosen) < max_size:
            head = line[0]
            if not _joins(chosen, longest, head.tokens, max_tokens, cap):
                break
            chosen.append(line.pop(0))
            longest = max(longest, head.tokens)
        if key in flows and not line:
            del flows[key]

    @staticmethod
    def _round_robin(
        flows: OrderedDict[str, list[Ticket[Payload]]],
        chosen: list[Ticket[Payload]],
        max_size: int,
        max_tokens: int,
        cap: int | None,
    ) -> None:
        longest = max((t.tokens for t in chosen), default=0)
        progress = True
        while progress and len(chosen) < max_size and flows:
            progress = False
            for key in list(flows):
                if len(chosen) >= max_size:
                    return
                line = flows[key]
                head = line[0]
                if not _joins(chosen, longest, head.tokens, max_tokens, cap):
                    continue
                chosen.append(line.pop(0))
                longest = max(longest, head.tokens)
                progress = True
                if line:
                    flows.move_to_end(key)  # served: to the back of the round
                else:
                    del flows[key]


def is_top(ticket: Ticket[Payload]) -> bool:
    """The first segment of a document read as it is made, for a person or a caller waiting on it."""
    return ticket.rank == 0 and ticket.flow.priority is Priority.INTERACTIVE


def _joins(
    chosen: list[Ticket[Payload]], longest: int, tokens: int, max_tokens: int, cap: int | None
) -> bool:
    """Whether an item of `tokens` may join the batch: its padded size (items x longest) stays within the
    budget (the first item always joins), and it is no longer than `cap` (a lower class's limit)."""
    fits = not chosen or (len(chosen) + 1) * max(longest, tokens) <= max_tokens
    return fits and (cap is None or tokens <= cap)
