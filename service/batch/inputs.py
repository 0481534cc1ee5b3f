"""What a batch is given: files and folders turned into items with stable ids, and an optional glossary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.batch.output import SourceFile
from service.glossary import GlossaryFileError, read_glossary_file
from service.jobs.formats import UnsupportedFile, kind_of, paragraph_count, read_items, translated_name
from service.jobs.records import ItemInput, error_record


class BatchInputError(ValueError):
    """The inputs cannot make a batch (two items with one id); nothing has been run."""


@dataclass
class Gathered:
    items: list[ItemInput] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)  # an error record per unreadable file
    sources: dict[str, SourceFile] = field(default_factory=dict)  # item id -> file to rebuild translated

    def ids(self) -> list[str]:
        return [item.id for item in self.items] + [record["id"] for record in self.unreadable]


def _supported(name: str) -> bool:
    try:
        kind_of(name)
    except UnsupportedFile:
        return False
    return True


def expand(inputs: Sequence[str]) -> Iterator[tuple[Path, str]]:
    """Each file with its name. A folder's files are named by their path relative to it (so ids stay the
    same from run to run, wherever the folder is), sorted, hidden ones and unsupported suffixes skipped;
    a file given directly is named by its own name and is read whatever its suffix (an unsupported one
    becomes an error record, as the user asked for that file)."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found = (
                (child, child.relative_to(path).as_posix()) for child in path.rglob("*") if child.is_file()
            )
            for child, name in sorted(found, key=lambda pair: pair[1]):
                if not any(part.startswith(".") for part in name.split("/")) and _supported(name):
                    yield child, name
        elif path.is_file():
            yield path, path.name
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")


def gather(inputs: Sequence[str]) -> Gathered:
    """The items of every input, in input order; a file that cannot be read becomes one error record."""
    gathered = Gathered()
    for path, name in expand(inputs):
        try:
            data = path.read_bytes()
            items = read_items(name, data)
            kind = kind_of(name)
        except (ValueError, OSError) as error:  # BadFile, UnsupportedFile, unreadable: that file only
            reason = str(error) or type(error).__name__
            gathered.unreadable.append(error_record(ItemInput(name, "", name), reason))
            continue
        gathered.items.extend(items)
        if kind != "jsonl":
            for item in items:
                gathered.sources[item.id] = SourceFile(path, name, paragraph_count(item.text))
    _check_unique(gathered.ids())
    _check_unique([translated_name(source.name) for source in gathered.sources.values()], "translated file")
    return gathered


def _check_unique(ids: list[str], what: str = "id") -> None:
    # The output is keyed by id (resume skips ids it holds): two items with one id cannot both be kept;
    # nor two translated files with one name (report.pdf and report.docx both come back as report.docx).
    seen: set[str] = set()
    for found in ids:
        if found in seen:
            raise BatchInputError(f"two items have the {what} {found!r}; it must be unique in a batch")
        seen.add(found)


def read_glossary(path: Path) -> dict[str, str]:
    """A TSV of `term<TAB>rendering` lines (service.glossary.read_glossary_file)."""
    try:
        return read_glossary_file(path)
    except GlossaryFileError as error:
        raise BatchInputError(str(error)) from error
