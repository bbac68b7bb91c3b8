"""Several processes opening one fresh database at the same moment (two tmux panes starting
``partybuild`` together) all succeed: each migration step takes the lock, then reads the
version, so a step is applied exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partybuild_tui.core.store import Store, migrations

SRC = Path(__file__).parents[1] / "src"
OPENER = """
import sys, time
from pathlib import Path
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
from partybuild_tui.core.store import Store
Store(sys.argv[1]).close()
"""


@pytest.mark.parametrize("round_", range(6))
def test_processes_opening_a_fresh_database_together(tmp_path: Path, round_: int) -> None:
    db, go = tmp_path / "fresh.db", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(db), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    time.sleep(0.5)  # all three are waiting on the start line
    go.touch()
    results = [(p.wait(timeout=60), p.stderr.read() if p.stderr else "") for p in openers]
    assert [code for code, _ in results] == [0, 0, 0], [err for _, err in results]
    with Store(db) as store:
        assert store.schema_version() == migrations.latest_version()
        applied = store.conn.execute("SELECT count(*) FROM _migrations").fetchone()[0]
    assert applied == migrations.latest_version()


def test_migration_statements_keep_trigger_bodies_whole() -> None:
    script = migrations.MIGRATIONS[1]()  # full-text search: triggers with inner semicolons
    statements = migrations.statements(script)
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 3
    assert all(s.rstrip().endswith("END;") for s in triggers)
