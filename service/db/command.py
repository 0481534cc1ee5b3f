"""`gazette db upgrade|version`: the schema of the service's database (`GAZETTE_DB`)."""

from __future__ import annotations

import argparse

from service.commandline import Subcommands, settings_from_args
from service.db.database import Database
from service.db.migrations import LATEST, upgrade, version_of


def add_db_command(commands: Subcommands) -> None:
    db = commands.add_parser("db", help="the schema of the service's database (GAZETTE_DB)")
    actions = db.add_subparsers(dest="db_command", required=True)
    actions.add_parser(
        "upgrade", help="apply the schema's migrations (also done as a server starts)"
    ).set_defaults(handler=_upgrade)
    actions.add_parser("version", help="the database's schema version, and this release's").set_defaults(
        handler=_version
    )


def _upgrade(args: argparse.Namespace) -> int:
    database = Database(settings_from_args(args).jobs_db())
    try:
        before, after = upgrade(database)
    finally:
        database.close()
    if before == after:
        print(f"{database.name}: schema version {after}, the latest; nothing to do")
    else:
        print(f"{database.name}: schema upgraded from version {before} to {after}")
    return 0


def _version(args: argparse.Namespace) -> int:
    database = Database(settings_from_args(args).jobs_db())
    try:
        print(f"{database.name}: schema version {version_of(database)}; this release's: {LATEST}")
    finally:
        database.close()
    return 0
