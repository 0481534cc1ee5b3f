"""How far the items a job has in the engine are, sentence by sentence: so that a long document's bar moves
while it is translated, not only when it is done. Kept in memory only (an item that starts again after a
restart counts again from its first sentence)."""

from __future__ import annotations

from service.pipeline.events import Event, Listener, Progress


class LiveSegments:
    def __init__(self) -> None:
        self._items: dict[tuple[str, int], tuple[int, int]] = {}  # (job, position) → (done, total)

    def listener(self, job_id: str, position: int) -> Listener:
        def heard(event: Event) -> None:
            if isinstance(event, Progress):
                self._items[(job_id, position)] = (event.done, event.total)

        return heard

    def ended(self, job_id: str, position: int) -> None:
        self._items.pop((job_id, position), None)

    def of(self, job_id: str) -> tuple[int, int] | None:
        """Segments (done, total) of the job's items in the engine now; None while none is."""
        counts = [value for (job, _), value in self._items.items() if job == job_id]
        if not counts:
            return None
        return sum(done for done, _ in counts), sum(total for _, total in counts)
