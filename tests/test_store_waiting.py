"""A write waits for another process's lock by polling, and gives up with SQLite's own error."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from partybuild_tui.core.store import Store, connection


def hold_lock(db: Path, seconds: float, ready: threading.Event) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        other.execute("COMMIT")


def test_write_gets_in_once_the_other_writer_commits(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with Store(db) as store:
        ready = threading.Event()
        holder = threading.Thread(target=hold_lock, args=(db, 0.2, ready))
        holder.start()
        ready.wait()
        with store.write() as conn:
            assert conn.in_transaction
        holder.join()
        busy = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        assert busy == int(connection.BUSY_TIMEOUT_S * 1000), "the usual timeout is restored"


def test_patience_runs_out_with_the_busy_error(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with Store(db) as store:
        ready = threading.Event()
        holder = threading.Thread(target=hold_lock, args=(db, 0.5, ready))
        holder.start()
        ready.wait()
        with pytest.raises(sqlite3.OperationalError) as caught:
            connection.begin_immediate(store.conn, patience=0.05)
        holder.join()
        assert connection.is_busy(caught.value)
        assert not store.conn.in_transaction
