"""Crash safety of the core: an annotating process killed with SIGKILL loses nothing it acked.

A child process annotates through the Store API (tests/safety_driver.py) and prints an ack
after each commit; it is killed at seeded random points. The same actions are replayed on a
copy of the database taken before the round, so the test knows what the database must hold:
the state after the last ack, or after one more action committed just before the kill.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partybuild_tui.core import ingest
from partybuild_tui.core.store import Action, Store
from tests import safety_driver

pytestmark = pytest.mark.safety

DRIVER = Path(safety_driver.__file__)
ROUNDS = 8


def _start(db: Path, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(db), str(seed), "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=safety_driver.child_env(),
    )


def _kill_at_random(proc: subprocess.Popen[str], rng: random.Random) -> list[int | None]:
    """Kill after a random number of acks plus a random delay; return the acked action ids."""
    acks: list[int | None] = []
    wanted = rng.randint(0, 25)
    assert proc.stdout is not None
    while len(acks) < wanted:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"driver ended early: {proc.stderr.read() if proc.stderr else ''}")
        acks.append(_parse(line))
    time.sleep(rng.uniform(0, 0.02) if wanted else rng.uniform(0, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read()
    acks.extend(_parse(line) for line in rest.splitlines(keepends=True) if line.endswith("\n"))
    return acks


def _parse(line: str) -> int | None:
    word, _step, action = line.split()
    assert word == "ack"
    return None if action == "-" else int(action)


def _replay(reference: Path, seed: int, steps: int) -> tuple[list[str], list[int | None]]:
    """Fingerprints after 0..steps actions and the action ids, replayed on ``reference``."""
    prints: list[str] = []
    ids: list[int | None] = []
    with Store(reference) as store:
        prints.append(safety_driver.fingerprint(store.conn))

        def ack(_step: int, action: Action | None) -> None:
            ids.append(action.id if action else None)
            prints.append(safety_driver.fingerprint(store.conn))

        safety_driver.run(store, seed, steps, ack)
    return prints, ids


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_sigkill_while_annotating_keeps_every_acknowledged_action(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    with Store(db) as store:
        ingest.import_paths(store, [Path(__file__).parents[1] / "seeds"])
    rng = random.Random(20240607)
    for round_number in range(ROUNDS):
        seed = rng.randrange(1 << 30)
        before = tmp_path / f"before-{round_number}.db"
        _copy(db, before)
        acked = _kill_at_random(_start(db, seed), rng)

        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            found = safety_driver.fingerprint(conn)
            stored_ids = {row[0] for row in conn.execute("SELECT id FROM actions")}
        prints, replayed_ids = _replay(before, seed, len(acked) + 1)
        assert replayed_ids[: len(acked)] == acked, "the replay must match what the child did"
        assert {a for a in acked if a is not None} <= stored_ids
        assert found in (prints[len(acked)], prints[len(acked) + 1]), (
            f"round {round_number}: database is not the state after ack {len(acked)} (or one "
            "more committed action)"
        )


def test_sigkill_during_import_keeps_committed_batches(tmp_path: Path) -> None:
    """A killed import leaves a sound database, and running it again completes it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted((Path(__file__).parents[1] / "seeds").glob("*.txt"))
    for i in range(600):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (corpus / f"{i:04d}.txt").write_text(f"Bài số {i}\n\n{text}", encoding="utf-8")
    db = tmp_path / "import.db"
    command = [sys.executable, "-m", "partybuild_tui", "import", str(corpus), "--no-segment"]
    env = safety_driver.child_env()  # this checkout's code, not the one installed
    proc = subprocess.Popen(
        [*command, "--db", str(db)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _has_articles(db):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < partial <= 600
    done = subprocess.run([*command, "--db", str(db)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 600
        fts = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Bài'")
        assert fts.fetchone()[0] == 600


def _has_articles(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        with sqlite3.connect(db, timeout=0.01) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    except sqlite3.Error:
        return False
