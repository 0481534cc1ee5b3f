"""What an eval output's cache key is made of, besides the text: everything that changes an output.

A cached output is reused only when nothing that shaped it has changed since it was made:

- the model as loaded (`ModelInfo`) and the settings that shape decoding (beams, segment length, engine) or
  the prompt (automatic names, the context around each sentence);
- the row: source language, whether input is cleaned, its own glossary as given;
- the *effective* glossary: the built-in glossary with the row's merged over it, as the pipeline builds
  it for a job (`build_glossary`). A row's glossary alone misses an edit to the built-in TSV, which
  changes what is masked (seq2seq) or put into the prompt (instruction models);
- the text of the prompt templates the model was loaded with (`ModelInfo.prompts` names them, the files
  hold them): editing a template in place keeps its name and version, but changes every output;
- the code version: see `code_version`.

Each part is hashed on its own and kept readable in the fingerprint, so that two fingerprints can be
compared by eye when a run translates again unexpectedly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

import service
from service.glossary import build_glossary

# Bumped when what goes into the key changes shape: old entries then simply stop matching.
KEY_VERSION = 2
# The parts of the `service` package whose code decides what text comes out (see `code_version`).
OUTPUT_SHAPING = ("text", "pipeline", "glossary", "models")
DISTRIBUTION = "gazette"


def _digest(parts: Iterable[bytes]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        # Length-prefixed, so that moving bytes from one part to the next cannot give the same digest.
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def glossary_digest(requested: Mapping[str, str] | None) -> str:
    """The effective glossary's entries (term, rendering, origin), as the pipeline would use them."""
    glossary = build_glossary(requested)
    entries = sorted((e.term, e.rendering, e.origin) for e in glossary.entries.values())
    return _digest("\t".join(entry).encode() for entry in entries)


def template_path(prompts_dir: Path, name: str) -> Path:
    """Where the template `family/task.vN` lives: prompts/FAMILY/TASK.vN.toml (service.models.prompts)."""
    family, _, versioned = name.partition("/")
    return prompts_dir / family / f"{versioned}.toml"


def templates_digest(names: Iterable[str], prompts_dir: Path) -> str:
    """The contents of the named templates' files; a missing file counts as its own distinct state.

    All the model's templates, not only the translating one: they were loaded together, and an edit to
    one that could not change a translation costs at worst a re-translation, never a stale output.
    """
    parts: list[bytes] = []
    for name in sorted(names):
        path = template_path(prompts_dir, name)
        parts += [name.encode(), path.read_bytes() if path.is_file() else b"\0missing"]
    return _digest(parts)


# Under those parts, but deciding no word: the confidence's calibration is applied when a run is scored, to
# the basis each cached segment keeps (eval/runner.py), so refitting it does not throw the cache away.
NOT_SHAPING = frozenset({"pipeline/confidence.py"})


def source_digest(package_root: Path, parts: Iterable[str] = OUTPUT_SHAPING) -> str:
    """The .py and .tsv files under `package_root`'s `parts`, by relative path and contents."""
    files = sorted(
        path
        for part in parts
        for path in (package_root / part).rglob("*")
        if path.suffix in {".py", ".tsv"}
        and path.is_file()
        and "__pycache__" not in path.parts
        and path.relative_to(package_root).as_posix() not in NOT_SHAPING
    )
    return _digest(
        piece
        for path in files
        for piece in (path.relative_to(package_root).as_posix().encode(), path.read_bytes())
    )


def distribution_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def code_version(package_root: Path | None = None) -> str:
    """The installed `gazette` version plus a digest of the source files that shape outputs.

    The version alone is not enough: it is bumped at release, while the code under evaluation changes
    between releases (that is what `gazette eval` is run for). So the digest covers the `service` files
    an output depends on: text/ (normalising, segmenting, numbers), pipeline/ (masking, repair, retries,
    checks), glossary/ (its code and its TSVs) and models/ (decoding, prompting, chatter stripping).
    Left out on purpose: api/, engine/ and the command line, which move requests and batches but do not
    decide words — including them would throw the cache away on every change to serving code. (Batch
    composition can flip an int8 model's greedy choice, but that is run-to-run noise, not a change a
    cache key could track.) Prompt templates are hashed separately, only those the model uses.

    Reading ~50 files costs milliseconds, but the runner still computes this once per run: the same
    code serves every row, and a file edited mid-run must not split one run across two keys.
    """
    root = package_root or Path(service.__file__).resolve().parent
    return f"{distribution_version()}+{source_digest(root)[:16]}"
