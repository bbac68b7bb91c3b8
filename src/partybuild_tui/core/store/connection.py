"""Opening a partybuild database safely, and the two kinds of transaction the store uses.

A file of another program or of a newer schema is refused before anything writes to it; an
older one is upgraded. ``write`` is one ``BEGIN IMMEDIATE`` transaction (nested calls join the
outer one), ``snapshot`` one read transaction in which every query sees the same state.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from partybuild_tui.core.store import migrations
from partybuild_tui.core.store.errors import (
    BUSY_TIMEOUT_S,
    DatabaseBusy,
    MissingDatabase,
    describe_sqlite_error,
)
from partybuild_tui.errors import UserError


def open_connection(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """A configured, up-to-date connection; a ``UserError`` says why when it cannot be."""
    in_memory = str(path) == ":memory:"
    if not in_memory and not create and not path.exists():
        raise MissingDatabase(f"database {path} does not exist")
    if not in_memory:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create folder for database {path}: {exc}") from exc
    try:
        conn = sqlite3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
        conn.execute("PRAGMA foreign_keys = ON")
        with snapshot(conn):  # version and tables read at one moment: another process may
            check_version(conn, path)  # be migrating; refused files stay untouched
        configure(conn)
        if migrations.schema_version(conn) < migrations.latest_version():
            migrations.migrate(conn)
    except sqlite3.Error as exc:
        raise UserError(describe_sqlite_error(exc, path)) from exc
    return conn


def configure(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            pass  # read-only media: reading still works, writing reports clearly
    conn.execute("PRAGMA synchronous = FULL")


def check_version(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a database newer than this program, or one that belongs to another program."""
    version = migrations.schema_version(conn)
    latest = migrations.latest_version()
    if version > latest:
        raise UserError(
            f"database {path} has schema version {version}, newer than this "
            f"partybuild understands ({latest}); upgrade partybuild-tui"
        )
    if version == 0:
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != '_migrations'"
            )
        }
        if tables:
            raise UserError(
                f"{path} is an SQLite database of another program (tables: "
                f"{', '.join(sorted(tables)[:5])}); not touching it"
            )


@contextmanager
def write(
    conn: sqlite3.Connection, patience: float = BUSY_TIMEOUT_S
) -> Iterator[sqlite3.Connection]:
    """One write transaction; nested calls join the outer one. ``DatabaseBusy`` when another
    writer holds the lock for more than ``patience`` seconds (nothing was written)."""
    if conn.in_transaction:
        yield conn
        return
    begin_immediate(conn, patience)
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        # SQLite has already rolled back after some errors (disk full, I/O): keep the
        # original error rather than "cannot rollback - no transaction is active"
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# While another process holds the write lock, try again this often. SQLite's own busy handler
# backs off to 25-100 ms sleeps and so keeps missing the short gaps an importer leaves between
# its transactions; a tight poll takes the lock in the first gap.
POLL_S = 0.001


def begin_immediate(conn: sqlite3.Connection, patience: float = BUSY_TIMEOUT_S) -> None:
    """``BEGIN IMMEDIATE``, waiting up to ``patience`` seconds for another writer."""
    deadline = time.monotonic() + patience
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    if patience < BUSY_TIMEOUT_S:
                        raise DatabaseBusy(str(exc)) from exc
                    raise
            time.sleep(POLL_S)
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def is_busy(exc: sqlite3.OperationalError) -> bool:
    """Another connection holds the lock (as opposed to a real failure)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read transaction: every query inside sees the same committed state."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def data_version(conn: sqlite3.Connection) -> int:
    """SQLite's counter that moves when another connection commits to the file."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])
