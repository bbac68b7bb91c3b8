"""Worker processes never outlive their command: SIGKILL of ``import`` (while it segments) or
of ``suggest --processes 2`` used to leave the pool's workers alive for minutes, holding the
database and the killed command's standard output (a pipe reading it hung). And a re-run
after a killed import segments what the killed one did not.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from partybuild_tui.core import tokenize
from partybuild_tui.core.store import Store
from tests import safety_driver
from tests.conftest import SEEDS

COMMAND = [sys.executable, "-m", "partybuild_tui"]


def _corpus(folder: Path, articles: int) -> Path:
    folder.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(articles):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (folder / f"{i:04d}.txt").write_text(f"Bài số {i}\n\n{text}", encoding="utf-8")
    return folder


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphaned zombie has exited, only nobody reaped it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@contextlib.contextmanager
def _started(args: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [*COMMAND, *args],
        env=safety_driver.child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()


def _wait_for_workers(proc: subprocess.Popen[bytes], count: int, timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = {pid for pid in _children(proc.pid) if _running(pid)}
        if len(workers) >= count:
            return workers
        assert proc.poll() is None, "the command ended before its workers started"
        time.sleep(0.05)
    pytest.fail(f"no {count} worker processes within {timeout} s")


def _kill_and_watch(proc: subprocess.Popen[bytes], workers: set[int]) -> float:
    """SIGKILL the command; seconds until its last worker is gone (fails after 10 s)."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed = time.monotonic()
    try:
        while time.monotonic() - killed < 10:
            alive = {pid for pid in workers if _running(pid)}
            if not alive:
                return time.monotonic() - killed
            time.sleep(0.05)
        pytest.fail(f"workers {sorted(alive)} still alive 10 s after their command was killed")
    finally:
        for pid in workers:  # never leave them behind, whatever the outcome
            with contextlib.suppress(OSError):
                if "partybuild_tui" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                    os.kill(pid, signal.SIGKILL)


def test_killed_import_takes_its_segmentation_workers_with_it(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 400)
    db = tmp_path / "import.db"
    with _started(["import", str(corpus), "--processes", "2", "--db", str(db)]) as proc:
        workers = _wait_for_workers(proc, 2, timeout=120)
        took = _kill_and_watch(proc, workers)
    assert took < 3, f"workers outlived the import by {took:.1f} s"


def test_killed_suggest_takes_its_workers_with_it(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 40)
    db = tmp_path / "suggest.db"
    env = safety_driver.child_env()
    subprocess.run([*COMMAND, "import", str(corpus), "--db", str(db)], env=env, check=True)
    args = ["suggest", "-s", "ner", "--processes", "2", "--db", str(db)]
    with _started(args) as proc:
        workers = _wait_for_workers(proc, 2, timeout=120)
        time.sleep(0.5)  # let them get to work
        took = _kill_and_watch(proc, workers)
    assert took < 3, f"workers outlived suggest by {took:.1f} s"


def _cached(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        segmented = conn.execute("SELECT count(*) FROM tokenizations").fetchone()[0]
    return articles, segmented


def test_rerun_after_a_killed_import_segments_what_is_missing(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 60)
    db = tmp_path / "import.db"
    args = ["import", str(corpus), "--processes", "1", "--db", str(db)]
    with _started(args) as proc:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # killed once all are stored, before segmentation
            with contextlib.suppress(sqlite3.Error):
                if db.exists() and _cached(db)[0] == 60:
                    break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    articles, segmented = _cached(db)
    assert articles == 60 and segmented < 60, "the kill came too late to test anything"
    done = subprocess.run(
        [*COMMAND, *args], env=safety_driver.child_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert _cached(db) == (60, 60)
    assert "segmented" in " ".join(done.stdout.split()), done.stdout
    with Store(db) as store:
        assert store.untokenized_ids(tokenize.tokenizer_id()) == []


def test_ctrl_c_during_import_does_not_wait_for_a_large_article(tmp_path: Path) -> None:
    """The workers are stopped, not waited for: a large article takes many seconds."""
    corpus = _corpus(tmp_path / "corpus", 2)
    for path in corpus.iterdir():
        path.write_text(path.read_text(encoding="utf-8") * 40, encoding="utf-8")  # ~150 KB
    for i in range(4):
        (corpus / f"extra{i}.txt").write_text(f"Bài {i}\n\nĐảng bộ xã Na Tông.\n", "utf-8")
    db = tmp_path / "import.db"
    with _started(["import", str(corpus), "--processes", "2", "--db", str(db)]) as proc:
        workers = _wait_for_workers(proc, 2, timeout=120)
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        asked = time.monotonic()
        try:
            code = proc.wait(timeout=60)
        finally:
            _kill_and_watch(proc, workers)
        took = time.monotonic() - asked
    assert code == 130
    assert took < 3, f"import took {took:.1f} s to stop after Ctrl-C"
