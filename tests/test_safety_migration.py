"""Databases made by older versions open, are upgraded in place and keep every row.

Each case builds a database at an older schema version with migrations.migrate(upto=k),
fills it the way that version's Store did (an article, a live span, an undone action whose
span is gone), then opens it with today's Store.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

import pytest

from partybuild_tui.core import corpus, ingest
from partybuild_tui.core.store import Span, Store, migrations
from partybuild_tui.core.text import plain_fold
from tests import safety_driver

SEED = Path(__file__).parents[1] / "seeds" / "000_e5b5bf95444e5f29.txt"
STAMP = "2024-01-01T00:00:00.000+00:00"


def _old_database(path: Path, version: int) -> tuple[Span, Span]:
    """A database at ``version`` with one live span and one undone (deleted) span."""
    text = corpus.normalize(SEED.read_text(encoding="utf-8"))
    fields = ingest.article_fields(ingest.Document(key="k", path=str(SEED), raw_text=text))
    live = Span(1, "a" * 32, 1, 0, 8, "ORGANIZATION", text[0:8], "manual", "tester")
    undone = Span(2, "b" * 32, 1, 10, 20, "FIGURE", text[10:20], "manual", "tester")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        migrations.migrate(conn, upto=version)
        assert migrations.schema_version(conn) == version
        columns = {**fields, "status": "in_progress", "created_at": STAMP, "updated_at": STAMP}
        conn.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(columns.values()),
        )
        if version >= 12:  # that version's Store also kept the layer's own status
            conn.execute(
                "INSERT INTO article_status (article_id, annotator, status, updated_at) "
                "VALUES (1, 'tester', 'in_progress', ?)",
                (STAMP,),
            )
        if version >= 10:  # that version's Store also indexed the folded text
            conn.execute(
                "INSERT INTO articles_plain (rowid, title, text) VALUES (1, ?, ?)",
                (plain_fold(fields["title"]), plain_fold(fields["text"])),
            )
        for span in (live, undone):  # as that version's Store did: tag both, undo one
            conn.execute(
                'INSERT INTO spans (id, uid, article_id, start, "end", label, text, origin, '
                "annotator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*asdict(span).values(), STAMP, STAMP),
            )
        conn.execute("DELETE FROM spans WHERE id = ?", (undone.id,))
        for action_id, span, state in ((1, live, "done"), (2, undone, "undone")):
            payload = {"added": [asdict(span)], "removed": [], "status": None, "suggestions": []}
            conn.execute(
                "INSERT INTO actions (id, article_id, annotator, kind, payload, state, "
                "created_at, changed_at) VALUES (?, 1, 'tester', 'tag', ?, ?, ?, ?)",
                (action_id, json.dumps(payload), state, STAMP, STAMP),
            )
    return live, undone


@pytest.mark.parametrize("version", range(1, migrations.latest_version()))
def test_old_database_is_upgraded_with_data_intact(tmp_path: Path, version: int) -> None:
    db = tmp_path / "old.db"
    live, undone = _old_database(db, version)
    with Store(db) as store:
        assert store.schema_version() == migrations.latest_version()
        article = store.article(1)
        assert article.status == "in_progress"
        assert store.spans(1) == [live]
        assert [row.id for row in store.list_articles(query="Đồng Văn")] == [1]
        assert store.untokenized_ids("any") == [1]
        # a new span never takes the id of the undone one, so redo can restore it
        action = store.tag(1, 30, 40, "RESOLUTION", "tester")
        assert action is not None and action.added[0].id > undone.id
        assert store.undo(1, "tester") is not None
        redone = store.redo(1, "tester")
        assert redone is not None and redone.added[0].id == action.added[0].id
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        applied = [row[0] for row in conn.execute("SELECT name FROM _migrations")]
    assert applied == [fn.__name__ for fn in migrations.MIGRATIONS]


def test_shared_suggestion_decisions_move_to_their_deciders_layers(tmp_path: Path) -> None:
    """m013: a decision recorded in the shared columns becomes its decider's; the other layers
    see the suggestion pending, and undoing the decision still works after the upgrade."""
    db = tmp_path / "old.db"
    _old_database(db, 12)
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        for sid, start, status, who in (
            (1, 30, "rejected", "tester"),
            (2, 50, "accepted", "lan"),
            (3, 70, "pending", None),
            (4, 90, "rejected", None),  # no decider: nobody's decision, pending for all
        ):
            conn.execute(
                'INSERT INTO suggestions (id, article_id, source, source_version, start, "end", '
                "label, text, score, status, decided_by, decided_at, created_at) VALUES "
                "(?, 1, 'rules', '1', ?, ?, 'FIGURE', 'x', 0.9, ?, ?, ?, ?)",
                (sid, start, start + 5, status, who, STAMP if who else None, STAMP),
            )
        payload = {
            "added": [],
            "removed": [],
            "status": None,
            "suggestions": [[1, "pending", "rejected"]],
        }
        conn.execute(
            "INSERT INTO actions (id, article_id, annotator, kind, payload, state, created_at, "
            "changed_at, uid) VALUES (3, 1, 'tester', 'reject', ?, 'done', ?, ?, 'c3')",
            (json.dumps(payload), STAMP, STAMP),
        )
    with Store(db) as store:
        status = {s.id: s.status for s in store.suggestions(1, annotator="tester")}
        assert status == {1: "rejected", 2: "pending", 3: "pending", 4: "pending"}
        status = {s.id: s.status for s in store.suggestions(1, annotator="lan")}
        assert status == {1: "pending", 2: "accepted", 3: "pending", 4: "pending"}
        assert store.decision_counts("tester") == {("rules", "FIGURE"): (0, 1)}
        assert store.decision_counts("lan") == {("rules", "FIGURE"): (1, 0)}
        assert store.suggestion_count("pending") == 2  # decided by no one: 3 and 4
        assert store.undo(1, "tester") is not None
        assert store.suggestion(1, "tester").status == "pending"
        assert store.suggestion(2, "lan").status == "accepted"
    with closing(sqlite3.connect(db)) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(suggestions)")}
        assert not columns & {"status", "decided_by", "decided_at"}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_redo_after_the_span_id_was_freed(tmp_path: Path) -> None:
    """Tag, undo, tag elsewhere, redo: the redone span keeps its id without a clash."""
    with Store(tmp_path / "new.db") as store:
        ingest.import_paths(store, [SEED])
        first = store.tag(1, 0, 5, "FIGURE", "tester")
        assert first is not None
        store.undo(1, "tester")
        other = store.tag(1, 50, 60, "ORGANIZATION", "other")
        assert other is not None and other.added[0].id != first.added[0].id
        redone = store.redo(1, "tester")
        assert redone is not None and redone.added[0].id == first.added[0].id
        assert len(store.spans(1)) == 2


def test_upgrade_restores_the_undone_span_under_its_id(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _, undone = _old_database(db, migrations.latest_version() - 1)
    with Store(db) as store:
        store.tag(1, 100, 110, "FIGURE", "other")  # must not take id 2
        redone = store.redo(1, "tester")
        assert redone is not None and redone.added == (undone,)
        assert undone in store.spans(1)


def test_sigkill_during_upgrade_leaves_a_whole_schema(tmp_path: Path) -> None:
    """Each migration is one transaction: a kill mid-upgrade leaves an older, sound schema."""
    template = tmp_path / "v4.db"
    _old_database(template, 4)
    with closing(sqlite3.connect(template, isolation_level=None)) as conn:
        conn.execute(
            "WITH RECURSIVE n(value) AS (SELECT 100 UNION ALL SELECT value + 1 FROM n "
            "WHERE value < 80000) "
            'INSERT INTO spans (uid, article_id, start, "end", label, text, origin, annotator, '
            "created_at, updated_at) SELECT hex(randomblob(16)), 1, value, value + 1, 'FIGURE', "
            "'x', 'manual', 'bulk', '', '' FROM n"
        )
        spans_before = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
    full = _open_in_child(tmp_path / "timing.db", template, None)
    mid_write = 0
    shares = [0.5, 0.65, 0.8, 0.9, 0.95] * 3  # more rounds only until one lands mid-write
    for number, share in enumerate(shares):
        if number >= 4 and mid_write:
            break
        db = tmp_path / f"killed-{number}.db"
        _open_in_child(db, template, full * share)
        wal = db.with_name(db.name + "-wal")
        mid_write += wal.exists() and wal.stat().st_size > 0
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            version = migrations.schema_version(conn)
            applied = conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
            assert applied == version, "the version and the migrations table agree"
            assert conn.execute("SELECT count(*) FROM spans").fetchone()[0] == spans_before
        with Store(db) as store:
            assert store.schema_version() == migrations.latest_version()
            assert store.conn.execute("SELECT count(*) FROM spans").fetchone()[0] == spans_before
    assert mid_write, "at least one kill should land while the upgrade was writing"


def _open_in_child(db: Path, template: Path, kill_after: float | None) -> float:
    """Open a copy of ``template`` with Store in a child, killed after ``kill_after`` s."""
    shutil.copy(template, db)
    code = f"from partybuild_tui.core.store import Store; Store({str(db)!r}).close()"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], env=safety_driver.child_env())
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return time.perf_counter() - started
