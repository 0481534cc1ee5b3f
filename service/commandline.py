"""What every `gazette` command shares: the model flags and settings built from the environment and them.

Commands live with their adapters (the CLI's own in `service/cli.py`, `serve` with the HTTP app, `eval`
with the harness, `bench` with the benchmark) and reach the `gazette` command through the entry-point
group `gazette.commands`: each is a `register(commands)` that adds its subparser, so no adapter imports
another to be reachable.
"""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from service.settings import Settings

ENTRY_POINT_GROUP = "gazette.commands"

_FLAG_SETTINGS = (
    "host",
    "port",
    "profile",
    "translate_model",
    "summarize_model",
    "device",
    "backend",
    "log_level",
)


class Subcommands(Protocol):
    """`argparse`'s subparsers object, as a command sees it."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def settings_from_args(args: argparse.Namespace, **extra: Any) -> Settings:
    """Settings from the environment, with any flag given on the command line (and `extra`) on top."""
    overrides: dict[str, Any] = {
        name: getattr(args, name) for name in _FLAG_SETTINGS if getattr(args, name, None) is not None
    }
    return Settings(**(overrides | extra))


def add_model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="auto, opus, nllb, qwen-pypi, qwen-small-pypi or tiny")
    parser.add_argument("--translate-model", dest="translate_model", help="hub id or local directory")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--backend", choices=["auto", "llama.cpp", "ctranslate2", "transformers"])
