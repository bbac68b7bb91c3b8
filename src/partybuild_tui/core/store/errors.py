"""What the store says when the database refuses: errors a user can act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from partybuild_tui.errors import UserError

BUSY_TIMEOUT_S = 30.0


class DatabaseBusy(sqlite3.OperationalError):
    """Another process held the write lock for longer than the caller would wait (a short
    ``Store.patience``): nothing was written; the app hands the change to its writer."""


class OverlapError(UserError):
    """A new span would overlap an existing one and the caller asked not to replace it."""


class MissingDatabase(UserError):
    """The database file does not exist and the caller asked not to create it."""


def describe_sqlite_error(exc: sqlite3.Error, path: Path | str) -> str:
    """A one-line explanation of a SQLite failure that tells the user what to do."""
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database {path} is locked by another process (waited {BUSY_TIMEOUT_S:.0f}s)"
    if "readonly" in lowered or "read-only" in lowered:
        return f"database {path} is read-only: check the file's and folder's permissions"
    if "disk is full" in lowered or "disk full" in lowered:
        return f"disk full while writing {path}: nothing was half-written; free space and retry"
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return f"database {path} is corrupt or not a partybuild database ({message})"
    if "unable to open" in lowered:
        return (
            f"cannot open database {path}: check that its folder exists and is writable "
            "(SQLite keeps its -wal and -shm files beside it)"
        )
    return f"database {path}: {message}"
