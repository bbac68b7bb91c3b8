"""Two processes on one database: an annotator writing while readers and the CLI work.

The writer (tests/safety_driver.py) tags, undoes and deletes in a loop in another process.
Meanwhile this process reads through the Store API and runs CLI commands. Nobody may see
"database is locked", and every read must be one consistent state: the spans on disk are
exactly what the 'done' actions added minus what they removed, and never overlap.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core import ingest
from partybuild_tui.core.export.swap import MANIFEST
from partybuild_tui.core.store import Store
from tests import safety_driver

pytestmark = pytest.mark.safety

SEEDS = Path(__file__).parents[1] / "seeds"
WRITER_STEPS = 400
WRITER_PAUSE_S = 0.003  # so the writing lasts over a second, however fast the disk

# Commands run against the database while the writer works. Each must exit 0 and never say
# "locked"; "{tmp}" is the test's scratch folder. Exports are then checked to be whole.
READER_COMMANDS: list[list[str]] = [
    ["list"],
    ["stats"],
    ["export", "jsonl", "--out", "{tmp}/x.jsonl", "--status", "any"],
    ["list", "--status", "in_progress", "--limit", "0"],
    ["stats", "--json"],
    ["export", "brat", "--out", "{tmp}/brat", "--status", "any"],
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


def _assert_flat_and_true(text: str, spans: list[tuple[int, int, str, str]]) -> None:
    """Spans of one annotator as exported: on the text they name, never overlapping."""
    for start, end, _label, shown in spans:
        assert text[start:end] == shown, "an exported span does not match its text"
    ordered = sorted(spans)
    for left, right in zip(ordered, ordered[1:], strict=False):
        assert left[1] <= right[0], "overlapping spans were exported: a torn read"


def _assert_whole_export(out: Path, articles: dict[str, str]) -> None:
    """Every article once, every line whole JSON (or every brat pair), no temporary file."""
    folder = out if out.is_dir() else out.parent
    found = folder.rglob("*")
    leftovers = [
        p.name
        for p in found
        if (p.name.startswith(".") or p.suffix == ".part") and p.name != MANIFEST  # brat's list
    ]
    assert leftovers == [], f"temporary files left by the export: {leftovers}"
    if out.suffix == ".jsonl":
        raw = out.read_bytes()
        assert raw.endswith(b"\n"), "the export's last line is cut off"
        records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
        assert sorted(r["content_hash"] for r in records) == sorted(articles)
        for r in records:
            assert r["text"] == articles[r["content_hash"]]
            mine = [s for s in r["spans"] if s["annotator"] == safety_driver.ANNOTATOR]
            _assert_flat_and_true(
                r["text"], [(s["start"], s["end"], s["label"], s["text"]) for s in mine]
            )
        return
    texts = sorted(out.glob("*.txt"))
    assert sorted(p.stem for p in out.glob("*.ann")) == [p.stem for p in texts]
    assert sorted(p.read_text(encoding="utf-8") for p in texts) == sorted(articles.values())
    for txt in texts:
        text = txt.read_text(encoding="utf-8")
        spans = []
        for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
            _ident, middle, shown = line.split("\t")  # a cut line would not split in three
            label, _, where = middle.partition(" ")
            parts = [tuple(map(int, part.split())) for part in where.split(";")]
            assert " ".join(text[a:b] for a, b in parts) == shown
            spans.append((parts[0][0], parts[-1][1], label, text[parts[0][0] : parts[-1][1]]))
        _assert_flat_and_true(text, spans)  # only the driver tags in this test


@pytest.mark.parametrize("seed", [1, 2])
def test_reads_and_cli_while_another_process_writes(
    db_path: Path, tmp_path: Path, seed: int
) -> None:
    with Store(db_path) as store:
        ingest.import_paths(store, [SEEDS])
        articles = {a.content_hash: a.text for a in map(store.article, store.article_ids())}
    before = _copy(db_path, tmp_path / "before.db")
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
                template = READER_COMMANDS[commands % len(READER_COMMANDS)]
                argv = [arg.replace("{tmp}", str(tmp_path)) for arg in template]
                result = runner.invoke(app, [*argv, "--db", str(db_path)])
                output = result.output + (result.stderr if result.stderr_bytes else "")
                assert "locked" not in output.lower(), output
                assert result.exit_code == 0, (argv, output, result.exception)
                if argv == ["stats", "--json"]:
                    json.loads(result.stdout)  # one whole document, not a torn one
                if argv[0] == "export":
                    _assert_whole_export(Path(argv[3]), articles)
                commands += 1
                time.sleep(0.005)
    finally:
        writer.wait(timeout=120)
    assert writer.stderr is not None
    # read() goes through the buffer readline() filled (communicate() would skip those lines)
    rest, stderr = writer.stdout.read(), writer.stderr.read()
    assert writer.returncode == 0, stderr
    assert "locked" not in stderr.lower()
    assert 1 + rest.count("ack ") == WRITER_STEPS, "every step of the writer should be committed"
    assert reads >= 3 and len(seen) >= 2, "the reads should have overlapped the writing"
    assert commands >= len(READER_COMMANDS), "every reader command should run during the writing"
    with Store(db_path) as store:
        _consistent_read(store)
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        final = safety_driver.fingerprint(store.conn)
    # the readers changed nothing and lost none of the writer's work: the same steps replayed
    # alone on the database as it was give exactly the same spans, actions and statuses
    assert final == _replayed(before, seed)


def _copy(source: Path, target: Path) -> Path:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def _replayed(db: Path, seed: int) -> str:
    """The fingerprint after the writer's steps run on ``db`` with nobody else around."""
    with Store(db) as store:
        safety_driver.run(store, seed, WRITER_STEPS, lambda _step, _action: None)
        return safety_driver.fingerprint(store.conn)


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
