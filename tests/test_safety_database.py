"""Database trouble: corrupt, foreign, newer, read-only and full. One clear line, no damage.

Every case runs the real CLI (`list` to read, `import` to write) and checks the exit code,
that the user sees one "error:" line and no traceback, and that the file is byte-for-byte
what it was (or, after a full disk, still sound and holding everything committed before).
As root, "read-only" is made with `chattr +i` (root ignores permission bits) and a full disk
with a small tmpfs; both are skipped where the system does not allow them. A full disk is also
simulated everywhere with SQLite's max_page_count.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store, connection, migrations
from tests.safety_support import read_only

SEEDS = Path(__file__).parents[1] / "seeds"
NEW_ARTICLE = "Bài mới về công tác xây dựng Đảng\n\nĐảng bộ xã Tân Lập tổ chức hội nghị.\n"


def _cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _assert_clear_error(result: Result, *expected: str) -> str:
    """Exit code != 0, exactly one 'error:' line naming the problem, no traceback."""
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and len(lines) == 1, result.output
    for word in expected:
        assert word in errors[0], errors[0]
    return errors[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def real_db(tmp_path: Path) -> Path:
    """A closed, checkpointed database holding the seeds and some spans."""
    path = tmp_path / "real.db"
    with Store(path) as store:
        ingest.import_paths(store, [SEEDS])
        store.tag(1, 0, 8, "ORGANIZATION", "tester")
        store.tag(2, 0, 7, "FIGURE", "tester")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    path = tmp_path / "new.txt"
    path.write_text(NEW_ARTICLE, encoding="utf-8")
    return path


def _contents(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = conn.execute("SELECT id, content_hash, status FROM articles").fetchall()
        spans = conn.execute("SELECT * FROM spans ORDER BY id").fetchall()
    return articles, spans


# ---- not a usable partybuild database ----------------------------------------------------------


def test_random_bytes(tmp_path: Path, new_file: Path) -> None:
    db = tmp_path / "random.db"
    db.write_bytes(os.urandom(1) + bytes(range(256)) * 40)
    before = _digest(db)
    _assert_clear_error(_cli("list", "--db", str(db)), str(db), "corrupt")
    _assert_clear_error(_cli("import", str(new_file), "--db", str(db)), "corrupt")
    assert _digest(db) == before


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_database(real_db: Path, new_file: Path, keep: float) -> None:
    data = real_db.read_bytes()
    real_db.write_bytes(data[: int(len(data) * keep) // 4096 * 4096 + 100])
    before = _digest(real_db)
    _assert_clear_error(_cli("list", "--db", str(real_db)), "corrupt")
    _assert_clear_error(_cli("import", str(new_file), "--db", str(real_db)), "corrupt")
    assert _digest(real_db) == before


def test_another_programs_database_is_not_touched(tmp_path: Path, new_file: Path) -> None:
    db = tmp_path / "other.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
        conn.commit()
    before = _digest(db)
    _assert_clear_error(_cli("list", "--db", str(db)), "another program", "notes")
    _assert_clear_error(_cli("import", str(new_file), "--db", str(db)), "another program")
    assert _digest(db) == before


def test_database_from_a_newer_partybuild(real_db: Path, new_file: Path) -> None:
    with closing(sqlite3.connect(real_db)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # so switching to WAL would show
        conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 1}")
    before = _digest(real_db)
    _assert_clear_error(_cli("list", "--db", str(real_db)), "newer", "upgrade")
    _assert_clear_error(_cli("import", str(new_file), "--db", str(real_db)), "newer")
    assert _digest(real_db) == before


# ---- read-only -------------------------------------------------------------------------------


def test_read_only_file_reads_and_refuses_writes(real_db: Path, new_file: Path) -> None:
    before = _contents(real_db)
    with read_only(real_db):
        digest = _digest(real_db)
        listed = _cli("list", "--db", str(real_db))
        assert listed.exit_code == 0, listed.output
        assert "5 of 5 articles" in listed.output
        _assert_clear_error(_cli("import", str(new_file), "--db", str(real_db)), "read-only")
        assert _digest(real_db) == digest
    assert _contents(real_db) == before


def test_read_only_folder(real_db: Path, new_file: Path) -> None:
    before = _contents(real_db)
    digest = _digest(real_db)
    with read_only(real_db.parent):
        assert not real_db.with_name("real.db-wal").exists(), "no connection is open"
        listed = _cli("list", "--db", str(real_db))
        if listed.exit_code != 0:  # SQLite needs to create the -shm file to read WAL
            _assert_clear_error(listed, str(real_db), "folder")
        result = _cli("import", str(new_file), "--db", str(real_db))
        _assert_clear_error(result)
        missing = _cli("list", "--db", str(real_db.parent / "new.db"))
        _assert_clear_error(missing, "folder")
    assert _digest(real_db) == digest
    assert _contents(real_db) == before


# ---- full disk -----------------------------------------------------------------------------------


def _corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    text = (SEEDS / "003_7aca55647c57ddbc.txt").read_text(encoding="utf-8")
    for i in range(count):
        (folder / f"{i:04d}.txt").write_text(f"Bài {i}\n\n{text}", encoding="utf-8")
    return folder


def _assert_full_disk_handled(db: Path, corpus: Path) -> None:
    before = _contents(db)
    _assert_clear_error(_cli("import", str(corpus), "--no-segment", "--db", str(db)), "disk full")
    articles, spans = _contents(db)
    assert set(before[0]) <= set(articles), "articles stored before the disk filled are kept"
    assert spans == before[1]
    old = len(before[0])
    with closing(sqlite3.connect(db)) as conn:  # whole articles only, each found by search
        texts = conn.execute("SELECT text FROM articles WHERE id > ?", (old,)).fetchall()
        indexed = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Bài' AND rowid > ?",
            (old,),
        )
        assert indexed.fetchone()[0] == len(texts)
    assert all(text.startswith("Bài ") and len(text) > 1000 for (text,) in texts)
    listed = _cli("list", "--db", str(db))
    assert listed.exit_code == 0, listed.output


def test_full_disk_simulated(
    real_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's page limit raises the same SQLITE_FULL a full disk does."""
    original = connection.configure

    def limited(conn: sqlite3.Connection) -> None:
        original(conn)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 200}")

    monkeypatch.setattr(connection, "configure", limited)
    _assert_full_disk_handled(real_db, _corpus(tmp_path / "corpus", 500))


def test_full_disk_on_a_tiny_filesystem(real_db: Path, tmp_path: Path) -> None:
    mount = tmp_path / "tiny"
    mount.mkdir()
    size = real_db.stat().st_size + 300 * 1024
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        db = mount / "full.db"
        shutil.copy(real_db, db)
        _assert_full_disk_handled(db, _corpus(tmp_path / "corpus", 500))
    finally:
        subprocess.run(["umount", str(mount)], check=True)
