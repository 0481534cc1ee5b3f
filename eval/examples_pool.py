"""`gazette eval --examples-pool`: the WMT zh-en news sets of `EXAMPLE_POOL` (newstest2017 and 2018, read
from the data folder, never copied into the repository) filed as the example pool of a database of the
evaluation's own, so that a run with examples leaves the service's database alone and a run without them
sees none."""

from __future__ import annotations

from pathlib import Path

from eval.suites import EXAMPLE_POOL, DataMissing
from service.memory import MemoryStore, person_entry
from service.memory.examples import POOL


def pool_database(model_cache: Path) -> Path:
    return model_cache / "eval-examples.sqlite3"


def pool_pairs(data: Path) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for source, reference in EXAMPLE_POOL:
        paths = (data / source, data / reference)
        for path in paths:
            if not path.is_file():
                raise DataMissing(f"evaluation file {path} is missing")
        sources, references = (path.read_text(encoding="utf-8").splitlines() for path in paths)
        pairs += [(s, r) for s, r in zip(sources, references, strict=True) if s.strip() and r.strip()]
    return pairs


def file_pool(database: Path, data: Path) -> int:
    """File the pool's pairs (once: a database that holds them is left as it is); how many it holds."""
    store = MemoryStore(database)
    try:
        held, _ = store.stamp(POOL, "person")
        if held == 0:
            store.put(person_entry(POOL, "zh", source, english) for source, english in pool_pairs(data))
        return store.stamp(POOL, "person")[0]
    finally:
        store.close()
