"""Two processes on one database: an annotator writing while readers and the CLI work.

The writer (tests/safety_driver.py) tags, undoes and deletes in a loop in another process.
Meanwhile this process reads through the Store API and runs CLI commands. Nobody may see
"database is locked", and every read must be one consistent state: the spans on disk are
exactly what the 'done' actions added minus what they removed, and never overlap.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import ingest
from partybuild_tui.core.store import Store
from tests import safety_driver

SEEDS = Path(__file__).parents[1] / "seeds"
WRITER_STEPS = 400
WRITER_PAUSE_S = 0.003  # so the writing lasts over a second, however fast the disk

# Commands run against the database while the writer works. Each must exit 0 and never say
# "locked". Export (issue 5) belongs here once it lands, e.g.
#   ["export", "--format", "jsonl", "--output", "{tmp}/out.jsonl"]
# and the export's file should then be checked to be complete (one line per exported article).
READER_COMMANDS: list[list[str]] = [
    ["list"],
    ["stats"],
    ["list", "--status", "in_progress", "--limit", "0"],
    ["stats", "--json"],
    ["list", "--search", "Đảng bộ", "--all"],
    ["import", str(SEEDS), "--no-segment"],  # all duplicates, but it takes the write lock
]


def _consistent_read(store: Store) -> int:
    """Check one snapshot's invariants; return how many actions it saw."""
    with store.snapshot() as conn:
        live = conn.execute("SELECT count(*) FROM spans").fetchone()[0]
        net = conn.execute(
            "SELECT coalesce(sum(json_array_length(payload, '$.added') - "
            "json_array_length(payload, '$.removed')), 0) FROM actions WHERE state = 'done'"
        ).fetchone()[0]
        assert live == net, "spans and the action log disagree: a partial transaction is visible"
        rows = store.list_articles()
        assert sum(row.span_count for row in rows) == live
        assert store.count_articles() == len(rows)
        for row in rows:
            spans = store.spans(row.id, safety_driver.ANNOTATOR)
            for left, right in zip(spans, spans[1:], strict=False):
                assert left.end <= right.start, "overlapping spans are visible"
        return int(conn.execute("SELECT count(*) FROM actions").fetchone()[0])


@pytest.mark.parametrize("seed", [1, 2])
def test_reads_and_cli_while_another_process_writes(db_path: Path, seed: int) -> None:
    with Store(db_path) as store:
        ingest.import_paths(store, [SEEDS])
    args = [str(db_path), str(seed), str(WRITER_STEPS), str(WRITER_PAUSE_S)]
    writer = subprocess.Popen(
        [sys.executable, str(safety_driver.__file__), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=safety_driver.child_env(),
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().startswith("ack"), "the writer should be writing"
    runner = CliRunner()
    reads = commands = 0
    seen: set[int] = set()
    try:
        with Store(db_path) as reader:
            while writer.poll() is None:
                seen.add(_consistent_read(reader))
                reads += 1
                argv = READER_COMMANDS[commands % len(READER_COMMANDS)]
                result = runner.invoke(app, [*argv, "--db", str(db_path)])
                output = result.output + (result.stderr if result.stderr_bytes else "")
                assert "locked" not in output.lower(), output
                assert result.exit_code == 0, (argv, output, result.exception)
                if argv == ["stats", "--json"]:
                    json.loads(result.stdout)  # one whole document, not a torn one
                commands += 1
                time.sleep(0.005)
    finally:
        writer.wait(timeout=120)
    _, stderr = writer.communicate()
    assert writer.returncode == 0, stderr
    assert "locked" not in stderr.lower()
    assert reads >= 3 and len(seen) >= 2, "the reads should have overlapped the writing"
    assert commands >= len(READER_COMMANDS), "every reader command should run during the writing"
    with Store(db_path) as store:
        assert _consistent_read(store) >= 0
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_annotating_processes_keep_spans_flat_and_the_log_exact(db_path: Path) -> None:
    """Two writers on the same articles: every check-then-write happens in one transaction."""
    with Store(db_path) as store:
        ingest.import_paths(store, [SEEDS])
    writers = [
        subprocess.Popen(
            [sys.executable, str(safety_driver.__file__), str(db_path), str(seed), "300"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=safety_driver.child_env(),
        )
        for seed in (11, 12)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
    with Store(db_path) as store:
        _consistent_read(store)
