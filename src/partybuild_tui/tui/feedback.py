"""A failed write becomes one status-line message, never a traceback or a lost screen."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from partybuild_tui.core.store import Store, describe_sqlite_error
from partybuild_tui.errors import UserError


class Reports(Protocol):
    """A screen with a store that can say something on its status line."""

    store: Store

    def say(self, message: str, *, bell: bool = False) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def failure_text(exc: UserError | sqlite3.Error, path: Path | str) -> str:
    """Why a write failed, in words that tell the user what to do."""
    if isinstance(exc, sqlite3.Error):
        return describe_sqlite_error(exc, path)
    return str(exc)


def reported(fn: F) -> F:
    """Turn a failed write (locked or read-only database, disk full) into a status message.

    Nothing is shown as saved unless the store returned; the app keeps running.
    """

    @functools.wraps(fn)
    def wrapper(self: Reports, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except (UserError, sqlite3.Error) as exc:
            self.say(f"✗ not saved: {failure_text(exc, self.store.path)}", bell=True)
            return None

    return wrapper  # type: ignore[return-value]
