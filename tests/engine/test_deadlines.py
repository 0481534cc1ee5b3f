"""Which flows go ahead of fair share so as not to miss their deadlines."""

from __future__ import annotations

from service.engine.deadlines import at_risk
from service.engine.pending import Flow
from service.engine.throughput import ITEM_OVERHEAD


def per_item(seconds: float) -> object:
    """A measured rate: `seconds` per item of 2 tokens."""
    return lambda work: work / (2 + ITEM_OVERHEAD) * seconds


def test_a_flow_whose_work_needs_half_its_time_left_is_at_risk() -> None:
    document = (Flow("document", deadline=100.0), [2] * 10)  # 10 items at 1 s: 10 s of work
    assert at_risk([document], per_item(1.0), now=79.0) == []  # 21 s left: more than twice the work
    assert at_risk([document], per_item(1.0), now=80.0) == ["document"]  # 20 s left


def test_flows_due_earlier_go_first_and_their_work_counts_against_later_ones() -> None:
    line = (Flow("line", deadline=95.0), [2])  # 1 s of work, due first
    document = (Flow("document", deadline=100.0), [2] * 10)
    later = (Flow("later", deadline=150.0), [2])
    # The document alone would have time (21 s left, 10 s of work), but the line is due first: 11 s.
    assert at_risk([later, document, line], per_item(1.0), now=79.0) == ["line", "document"]
    assert at_risk([later, document, line], per_item(1.0), now=70.0) == []


def test_bulk_flows_without_deadlines_and_an_unmeasured_model_put_nobody_first() -> None:
    job = (Flow("job"), [2] * 1000)
    assert at_risk([job], per_item(1.0), now=0.0) == []
    document = (Flow("document", deadline=1.0), [2] * 10)
    assert at_risk([document], lambda work: None, now=0.0) == []


def test_a_flow_found_at_risk_stays_so_until_it_would_keep_its_deadline_in_turns() -> None:
    # Back within half its time after a batch of its own, it would fall behind again in turns with the
    # others: it keeps its place while its work, once per flow waiting, needs half the time left.
    document = (Flow("document", deadline=100.0), [2] * 10)  # 10 s of work
    line = (Flow("line", deadline=150.0), [2])
    assert at_risk([line, document], per_item(1.0), now=70.0) == []
    assert at_risk([line, document], per_item(1.0), now=70.0, already={"document"}) == ["document"]
    assert at_risk([line], per_item(1.0), now=70.0, already={"document"}) == []  # nothing of it waits
    # Judged at risk on a slower rate than it turned out to run at, it does not hold the others back to
    # its end: once 2 x 10 s in turns with the line fit in half its time, it takes its turns again.
    assert at_risk([line, document], per_item(1.0), now=59.0, already={"document"}) == []
    assert at_risk([line, document], per_item(1.0), now=61.0, already={"document"}) == ["document"]
