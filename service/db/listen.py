"""Wake-ups from other processes over PostgreSQL's LISTEN/NOTIFY: a job stored on one replica is taken up
by the others at once, not at their next poll. A thread on its own connection (LISTEN needs one held
open, outside the pool); a lost connection is made again after a pause, and meanwhile polling covers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from service.db.database import Database

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 2.0


class Listener:
    def __init__(self, database: Database, channel: str, woken: Callable[[], None]) -> None:
        """`woken()` is called from the listening thread on each notification on `channel`."""
        self._conninfo = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._channel = channel
        self._woken = woken
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{channel}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {self._channel}")
                    self._woken()  # anything stored while this connection was not listening
                    while not self._stop.is_set():
                        # Returns every second at least, so that a stop is seen.
                        for _ in connection.notifies(timeout=1.0, stop_after=1):
                            self._woken()
            except psycopg.Error as error:
                log.warning("LISTEN %s: %s; again in %g s", self._channel, error, RECONNECT_SECONDS)
                self._stop.wait(RECONNECT_SECONDS)
