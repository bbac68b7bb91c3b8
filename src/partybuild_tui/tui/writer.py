"""The app's background writer: every key's change is committed here.

The screen draws a change at once ("saving…") and hands it to this writer: one thread with
its own connection that commits the queued changes in order, in a few milliseconds on an idle
database, or waiting as long as it takes while another process holds the write lock (an
import, a merge, another window's long write; the screen then says "waiting for the
database…"), while the keys keep working. Its results come back to the UI thread in order
(``App.call_from_thread``); nothing is shown as saved before its commit.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App
from textual.css.query import NoMatches

from partybuild_tui.core.store import Store
from partybuild_tui.errors import UserError

# How long a small write off the keys (the resume point) waits for another process's lock on
# the UI thread (a frame or two) before it is handed to the writer; a change not committed
# this long after its key is shown as waiting for the database.
FAST_LOCK_S = 0.025


@dataclass
class Job:
    """One change to commit: ``run`` on the writer's store, then ``done`` or ``failed`` on the
    UI thread."""

    run: Callable[[Store], Any]
    done: Callable[[Any], None]
    failed: Callable[[Exception], None]


class Writer:
    """One thread committing queued changes in order with its own connection."""

    def __init__(self, app: App[Any], path: Path, session: str) -> None:
        self.app = app
        self.path = path
        self.session = session  # the app's: undo sees the writer's actions as this window's
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    @property
    def busy(self) -> bool:
        """Whether a change is queued or being committed."""
        with self._lock:
            return self._pending > 0

    def submit(self, job: Job) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="partybuild-writer", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued change is committed (or failed); False on timeout."""
        return self._idle.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Finish the queued changes, then stop the thread."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        store: Store | None = None
        try:
            while (job := self._jobs.get()) is not None:
                try:
                    if store is None:
                        store = Store(self.path, create=False, session=self.session)
                    result = job.run(store)
                except (UserError, sqlite3.Error) as exc:
                    self._report(job.failed, exc)
                else:
                    self._report(job.done, result)
                with self._lock:
                    self._pending -= 1
                    if not self._pending:
                        self._idle.set()
        finally:
            if store is not None:
                store.close()

    def _report(self, callback: Callable[[Any], None], value: Any) -> None:
        """Hand a result to the UI thread (quietly dropped once the app has stopped)."""
        try:
            self.app.call_from_thread(callback, value)
        except (RuntimeError, NoMatches):  # the app stopped, or its screen went (quitting):
            pass  # the commit itself stands
