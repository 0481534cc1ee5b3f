"""Makes tests/db/data/before-migrations.sqlite3: a database as the stores made it before the schema was
versioned (commit ff80888, the code this file was run with: `PYTHONPATH=<checkout at ff80888> python
tests/db/make_old_db.py OUT`). Kept as it was made, not remade by later code, so that the upgrade test
reads what an existing deployment really holds."""

from __future__ import annotations

import sys
from pathlib import Path

from service.compat.deepl_store import DeepLStore
from service.glossary.store import GlossaryStore
from service.jobs.records import ItemInput
from service.jobs.store import JobStore
from service.jobs.work import JobOptions
from service.key_store import KeyStore
from service.usage_store import UsageStore


def main(out: Path) -> None:
    jobs = JobStore(out)
    options = JobOptions("translate", "zh", {"同安区": "Tong'an District"}, 3)
    job, _ = jobs.create("alice", options, [ItemInput("a", "你好。"), ItemInput("b", "再见。")],
                         {"a.txt": b"hello"}, idempotency_key="k1")  # fmt: skip
    jobs.start(job.id)
    jobs.record(job.id, 0, {"id": "a", "translation": "Hello."})
    GlossaryStore(out).create_now("alice", "news", "zh", "en", [("同安区", "Tong'an District")])
    KeyStore(out).add("alice", quota=1000, rate=60)
    usage = UsageStore(out)
    reservation = usage._reserve("alice", 40, 1000)
    usage.settle_now(reservation.id or "", 25)
    DeepLStore(out)._add_document(job.id, "0" * 64, "a.txt")
    print(job.id)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
