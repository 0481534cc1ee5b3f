"""`gazette serve`: the HTTP app under uvicorn, with a shutdown that is bounded.

On SIGTERM or Ctrl-C the engine is drained first (every waiting caller is answered 503 at once and no
new work is taken), then uvicorn closes the connections, waiting at most a few seconds for responses
still being written. A batch still generating is not waited for (the model thread is a daemon), so the
process exits within seconds even mid-batch.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from types import FrameType

import uvicorn

from service.api.routes import AppState
from service.commandline import Subcommands, add_model_flags, settings_from_args
from service.db.database import Database
from service.db.migrations import upgrade
from service.server import create_app

log = logging.getLogger(__name__)

# Seconds uvicorn waits for open responses once the engine has answered everything it held.
GRACEFUL_SECONDS = 5


class _DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, state: AppState) -> None:
        super().__init__(config)
        self._state = state
        self._draining: asyncio.Task[None] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Runs on the event loop's thread (a signal handler), so the loop can be given the drain.
        if self._draining is None:
            log.info("signal %d: answering waiting requests with 503 and stopping", sig)
            loop = asyncio.get_event_loop()
            self._draining = loop.create_task(self._state.engine.drain())
        super().handle_exit(sig, frame)


def _plain_request_lines() -> None:
    """Request lines as bare JSON, one per line, for log shippers (service/request_log.py)."""
    lines = logging.getLogger("gazette.requests")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    lines.addHandler(handler)
    lines.propagate = False


def _serve(args: argparse.Namespace) -> int:
    settings = settings_from_args(args)
    _plain_request_lines()
    # Before anything listens: a database from a newer release (SchemaTooNew) or one that cannot be
    # reached stops the start with that message, not a traceback from the first store to open.
    database = Database(settings.jobs_db())
    try:
        upgrade(database)
    finally:
        database.close()
    app = create_app(settings)
    state: AppState = app.state.gazette
    log.info("will serve %s", state.engine.check_obtainable())
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Off: it writes each URL whole, query string and all, where clients put text and keys; the
        # app writes its own line per request instead (service/request_log.py).
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    _DrainingServer(config, state).run()
    return 0


def register(commands: Subcommands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    add_model_flags(serve)
    serve.set_defaults(handler=_serve)
