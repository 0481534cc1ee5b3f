"""Who goes next: priority classes, round-robin across flows, the padded-token budget."""

from __future__ import annotations

from service.engine.pending import Flow, PendingWork, Priority, Ticket

INTERACTIVE_A = Flow("a")
INTERACTIVE_B = Flow("b")
BULK = Flow("job", Priority.BULK)


def pending(*tickets: tuple[Flow, int, str]) -> PendingWork[str]:
    work: PendingWork[str] = PendingWork()
    for flow, tokens, name in tickets:
        work.add(Ticket(flow, tokens, name))
    return work


def names(batch: list[Ticket[str]]) -> list[str]:
    return [ticket.payload for ticket in batch]


def test_flows_take_turns_one_item_each() -> None:
    work = pending(*[(INTERACTIVE_A, 5, f"a{i}") for i in range(6)], (INTERACTIVE_B, 5, "b0"))
    assert names(work.take(max_size=3, max_tokens=1000)) == ["a0", "b0", "a1"]
    assert len(work) == 4
    assert names(work.take(max_size=8, max_tokens=1000)) == ["a2", "a3", "a4", "a5"]
    assert len(work) == 0


def test_the_flow_served_least_recently_goes_first_in_the_next_batch() -> None:
    work = pending(
        *[(INTERACTIVE_A, 5, f"a{i}") for i in range(4)], *[(INTERACTIVE_B, 5, f"b{i}") for i in range(4)]
    )
    assert names(work.take(max_size=3, max_tokens=1000)) == ["a0", "b0", "a1"]
    assert names(work.take(max_size=3, max_tokens=1000)) == ["b1", "a2", "b2"]


def test_interactive_work_goes_before_bulk_work_admitted_earlier() -> None:
    work = pending(*[(BULK, 5, f"j{i}") for i in range(10)], (INTERACTIVE_A, 9, "person"))
    batch = names(work.take(max_size=4, max_tokens=1000))
    assert batch[0] == "person"
    assert batch[1:] == ["j0", "j1", "j2"]  # bulk fills the room, being no longer than the batch


def test_bulk_work_never_lengthens_an_interactive_batch() -> None:
    work = pending((BULK, 50, "long-job"), (BULK, 4, "short-job"), (INTERACTIVE_A, 10, "person"))
    assert names(work.take(max_size=4, max_tokens=1000)) == ["person", "short-job"]
    assert names(work.take(max_size=4, max_tokens=1000)) == ["long-job"]


def test_a_flow_goes_shortest_first_and_the_padded_budget_holds() -> None:
    work = pending((INTERACTIVE_A, 30, "long"), (INTERACTIVE_A, 10, "short"), (INTERACTIVE_A, 20, "mid"))
    assert names(work.take(max_size=8, max_tokens=40)) == ["short", "mid"]  # 3 x 30 > 40
    assert names(work.take(max_size=8, max_tokens=40)) == ["long"]


def test_an_item_over_the_budget_still_gets_a_batch_of_its_own() -> None:
    work = pending((INTERACTIVE_A, 500, "huge"))
    assert names(work.take(max_size=8, max_tokens=40)) == ["huge"]


def test_removed_and_drained_tickets_leave_the_count_exact() -> None:
    work: PendingWork[str] = PendingWork()
    tickets = [Ticket(INTERACTIVE_A, 5, f"a{i}") for i in range(3)]
    for ticket in tickets:
        work.add(ticket)
    assert work.remove(tickets[1]) is True
    assert work.remove(tickets[1]) is False
    assert len(work) == 2
    assert names(work.drain()) == ["a0", "a2"]
    assert len(work) == 0
    assert work.take(max_size=8, max_tokens=1000) == []


def test_flows_named_first_are_served_before_the_round_in_the_order_given() -> None:
    late = Flow("late")
    work = pending(
        *[(INTERACTIVE_A, 5, f"a{i}") for i in range(3)],
        *[(INTERACTIVE_B, 5, f"b{i}") for i in range(3)],
        *[(late, 5, f"late{i}") for i in range(3)],
    )
    assert names(work.take(max_size=5, max_tokens=1000, first=["late", "b"])) == [
        "late0",
        "late1",
        "late2",
        "b0",
        "b1",
    ]
    assert names(work.take(max_size=8, max_tokens=1000)) == ["a0", "b2", "a1", "a2"]
    assert len(work) == 0


def test_a_flow_named_first_still_keeps_to_the_padded_budget() -> None:
    work = pending((INTERACTIVE_A, 5, "a0"), (INTERACTIVE_B, 40, "b0"), (INTERACTIVE_B, 40, "b1"))
    assert names(work.take(max_size=4, max_tokens=80, first=["b"])) == ["b0", "b1"]
    assert names(work.take(max_size=4, max_tokens=80, first=["gone"])) == ["a0"]
