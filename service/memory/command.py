"""`gazette memory export|import`: the translation memory of the server's database (`GAZETTE_DB`) as TMX.

Export writes every entry (or one tenant's: `--tenant`, `--people` for people's entries only); import
files each unit as a person's entry of one tenant (`--tenant`, default the anonymous one), which wins over
the model's from the next request on: nothing to restart; or, with `--pool`, into the example pool, which
no tenant owns and which serves only as examples (service/memory/examples.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.access import ANONYMOUS
from service.commandline import Subcommands, settings_from_args
from service.memory.examples import POOL
from service.memory.store import MemoryStore
from service.memory.tmx import BadTmx, read_tmx, write_tmx


def add_memory_command(commands: Subcommands) -> None:
    memory = commands.add_parser("memory", help="export or import the translation memory as TMX 1.4b")
    actions = memory.add_subparsers(dest="memory_command", required=True)
    export = actions.add_parser("export", help="write the memory's entries to a TMX file")
    export.add_argument("--tmx", required=True, type=Path, metavar="FILE")
    export.add_argument("--tenant", help="only this tenant's entries (default: every tenant's)")
    export.add_argument(
        "--people", action="store_true", help="only entries people made (corrections, imports)"
    )
    export.set_defaults(handler=_export)
    load = actions.add_parser("import", help="file a TMX file's units as a person's entries")
    load.add_argument("--tmx", required=True, type=Path, metavar="FILE")
    owner = load.add_mutually_exclusive_group()
    owner.add_argument("--tenant", default=ANONYMOUS, help=f"whose entries they become (default {ANONYMOUS})")
    owner.add_argument(
        "--pool",
        action="store_true",
        help="file them in the example pool: no tenant's, never recalled as a translation, shown to "
        "instruction models as examples for documents like them, whoever asks",
    )
    load.set_defaults(handler=_import)


def _export(args: argparse.Namespace) -> int:
    store = MemoryStore(settings_from_args(args).jobs_db())
    try:
        entries = store.entries(args.tenant, "person" if args.people else None)
    finally:
        store.close()
    count = write_tmx(entries, args.tmx)
    print(f"{count} entries written to {args.tmx}")
    return 0


def _import(args: argparse.Namespace) -> int:
    owner = POOL if args.pool else args.tenant
    try:
        entries = read_tmx(args.tmx.read_bytes(), owner)
    except (OSError, BadTmx) as error:
        print(f"gazette: {args.tmx}: {error}", file=sys.stderr)
        return 2
    store = MemoryStore(settings_from_args(args).jobs_db())
    try:
        written = store.put(entries)
    finally:
        store.close()
    print(
        f"{written} entries imported {'into the example pool' if args.pool else f'for {owner}'} from {args.tmx}"
    )
    return 0
