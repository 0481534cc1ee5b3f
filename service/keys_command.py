"""`gazette keys add|list|revoke`: the API keys a running server takes, in its database (`GAZETTE_DB`).

The server looks each request's key up in that file, so a key added is usable, and one revoked refused,
from the next request on: nothing to restart. Keys of GAZETTE_API_KEYS still work beside these.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from service.commandline import Subcommands, settings_from_args
from service.key_store import KeyNameRefused, KeyStore
from service.usage_store import UsageStore


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_keys_command(commands: Subcommands) -> None:
    keys = commands.add_parser("keys", help="add, list or revoke the API keys of the server's database")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    add = actions.add_parser("add", help="make a key for NAME and print it (once: only its hash is kept)")
    add.add_argument("name", metavar="NAME", help="the tenant: 1-64 letters, digits, _ . @ -")
    add.add_argument("--quota", type=_positive, help="characters (default GAZETTE_CHARACTER_QUOTA)")
    add.add_argument("--rate", type=_positive, help="requests a minute (default GAZETTE_RATE_LIMIT)")
    add.set_defaults(handler=_add)
    listing = actions.add_parser("list", help="name, quota, rate, characters used, created, last used")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="refuse NAME's key from the next request on")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=_revoke)


def _add(args: argparse.Namespace) -> int:
    store = KeyStore(settings_from_args(args).jobs_db())
    try:
        key = store.add(args.name, args.quota, args.rate)
    except KeyNameRefused as error:
        print(f"gazette: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(key)  # the only time it is shown
    return 0


def _list(args: argparse.Namespace) -> int:
    path = settings_from_args(args).jobs_db()
    keys, usage = KeyStore(path), UsageStore(path)
    try:
        rows, used = keys.all(), usage.all_usage()
    finally:
        keys.close()
        usage.close()
    table = [("NAME", "QUOTA", "RATE", "USED", "CREATED", "LAST USED", "REVOKED")]
    for key in rows:
        table.append(
            (
                key.name,
                "default" if key.quota is None else str(key.quota),
                "default" if key.rate is None else str(key.rate),
                str(used.get(key.name, 0)),
                _time(key.created),
                _time(key.last_used),
                _time(key.revoked),
            )
        )
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def _revoke(args: argparse.Namespace) -> int:
    store = KeyStore(settings_from_args(args).jobs_db())
    try:
        revoked = store.revoke(args.name)
    finally:
        store.close()
    if not revoked:
        print(f"gazette: no active key named {args.name!r}", file=sys.stderr)
        return 1
    print(f"revoked {args.name}")
    return 0


def _time(seconds: float | None) -> str:
    return "-" if seconds is None else datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")
