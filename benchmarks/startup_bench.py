"""Start-up through the entry point: the real ``partybuild`` command, spawned as a user would.

    python benchmarks/startup_bench.py                      # all cases, a table
    python benchmarks/startup_bench.py --case first-paint --runs 9
    python benchmarks/run.py --only startup                 # in the one table

Every figure is the median wall time of ``--runs`` fresh processes of the installed
``partybuild`` script (next to this Python, else on PATH; ``--partybuild`` to choose), so the
interpreter's start, the imports and the command's work all count. The machine's load
average is printed beside each figure: on a shared machine the wall times follow it, the CPU
times (user + system of the child) much less. The database is the five seed articles,
imported once with ``partybuild import seeds`` (words segmented), as a returning user has it;
given ``--db`` (as ``run.py`` does), ``first-paint-N`` paints that database of N articles too.

First paint runs the app under a pseudo-terminal of 160x48 (its real terminal driver, not
the headless test one) and stops the clock when the first article's text reaches the
terminal; then it presses ``q``. Each run gets a fresh copy of the database (opening an
article marks it in progress). Follows the convention in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from benchlib import Row, row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SIZE = (160, 48)  # columns, rows
TIMEOUT_S = 60.0
# escape sequences (CSI, OSC, two-byte) stripped from the terminal stream to find the text
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def partybuild(args: argparse.Namespace) -> str:
    """The ``partybuild`` script to measure."""
    found = args.partybuild or str(Path(sys.executable).with_name("partybuild"))
    if not Path(found).exists():
        found = shutil.which("partybuild") or ""
    if not found:
        raise SystemExit("no partybuild command: pip install -e . (or give --partybuild)")
    return found


def child_env() -> dict[str, str]:
    """The user's environment without settings that would change what is measured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYBUILD_")}
    env.setdefault("TERM", "xterm-256color")
    env["PARTYBUILD_ANNOTATOR"] = "bench"
    return env


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min), {os.cpu_count()} cores"
    )


def seeded_db(command: str, work: Path) -> Path:
    """A database of the seed articles, imported (and segmented) by the command itself."""
    db = work / "seeds.db"
    done = subprocess.run(
        [command, "import", str(SEEDS), "--db", str(db), "--processes", "1"],
        capture_output=True,
        text=True,
        env=child_env(),
    )
    if done.returncode != 0:
        raise SystemExit(f"partybuild import seeds failed: {done.stderr.strip()}")
    return db


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run whose output goes nowhere."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=child_env(),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return wall, usage.ru_utime + usage.ru_stime


MARKER_CHARS = 30


def markers(db: Path) -> set[str]:
    """Text only the article pane shows: the start (``MARKER_CHARS``) of each article's first
    long line after its title (the list shows titles). Any of them on the terminal: an
    article is painted. A set, so a database of 100,000 articles is looked up as fast."""
    found = set()
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        for text, title in conn.execute("SELECT text, title FROM articles"):
            lines = (x.strip() for x in text.split("\n"))
            line = next((x for x in lines if len(x) > 40 and x != title.strip()), "")
            if line:
                found.add(line[:MARKER_CHARS])
    if not found:
        raise SystemExit(f"no article text in {db}")
    return found


def shows_marker(text: str, wanted: set[str], since: int = 0) -> bool:
    """Whether a marker starts in ``text`` at or after ``since``."""
    return any(
        text[i : i + MARKER_CHARS] in wanted
        for i in range(max(since, 0), len(text) - MARKER_CHARS + 1)
    )


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) process ``pid`` has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_paint(command: str, db: Path, wanted: set[str]) -> tuple[float, float]:
    """(seconds from spawning ``partybuild --db DB`` on a terminal to an article on it, CPU
    seconds the app had used by then)."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's size is set before the app asks for it
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        os.execve(command, [command, "--db", str(db)], child_env())
    seen = b""
    searched = 0  # characters of the terminal's text already searched
    painted = cpu = 0.0
    deadline = started + TIMEOUT_S
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            if not painted:
                now = time.perf_counter()
                seen += chunk
                text = _ESCAPES.sub(b"", seen).decode("utf-8", "replace")
                found = shows_marker(text, wanted, searched - MARKER_CHARS)
                searched = len(text)
                if found:
                    painted = now - started
                    cpu = cpu_seconds(pid)
                    os.write(fd, b"q")
    finally:
        if not _exited(pid, 10.0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    if not painted:
        raise SystemExit(f"no article on the terminal within {TIMEOUT_S:.0f} s")
    return painted, cpu


def _exited(pid: int, limit: float) -> bool:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return True
        time.sleep(0.02)
    return False


def command_case(figure: str, argv: Callable[[str, Path], list[str]]) -> benchlib.Case:
    def run(args: argparse.Namespace) -> list[Row]:
        command = partybuild(args)
        with tempfile.TemporaryDirectory(dir=args.work) as scratch:
            db = seeded_db(command, Path(scratch))
            before = load()
            runs = [timed(argv(command, db)) for _ in range(args.runs)]
        walls = [wall * 1000 for wall, _ in runs]
        cpus = [cpu * 1000 for _, cpu in runs]
        note = (
            f"median of {args.runs} runs (min {min(walls):.0f} ms), CPU {benchlib.median(cpus):.0f}"
            f" ms; {before}"
        )
        return [row(figure, benchlib.median(walls), "ms", note)]

    return run


def case_first_paint(args: argparse.Namespace) -> list[Row]:
    command = partybuild(args)
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        pristine = seeded_db(command, Path(scratch))
        wanted = markers(pristine)
        before = load()
        times, cpus = [], []
        for i in range(args.runs):
            copy = Path(scratch) / f"run-{i}.db"
            with closing(sqlite3.connect(pristine)) as src, closing(sqlite3.connect(copy)) as dst:
                src.backup(dst)
            painted, cpu = first_paint(command, copy, wanted)
            times.append(painted * 1000)
            cpus.append(cpu * 1000)
    note = (
        f"median of {args.runs} runs (min {min(times):.0f} ms), CPU {benchlib.median(cpus):.0f} ms "
        f"until then: `partybuild --db seeds.db` on a {SIZE[0]}x{SIZE[1]} pseudo-terminal until "
        f"an article's text is on it; {before}"
    )
    return [row("app first paint on the seeds (entry point)", benchlib.median(times), "ms", note)]


def case_first_paint_n(args: argparse.Namespace) -> list[Row]:
    """The same on the run's database of N articles: copied once (it stays read-only) to
    ``--work``; the runs share the copy (opening an article saves only a resume point, so
    every run opens the same article)."""
    command = partybuild(args)
    copy = Path(args.work) / f"startup-{args.n}.db"
    if not copy.exists():
        partial = copy.with_name(copy.name + ".partial")
        with closing(sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)) as src:
            with closing(sqlite3.connect(partial)) as dst:
                src.backup(dst)
        partial.rename(copy)
    wanted = markers(copy)
    before = load()
    times, cpus = [], []
    for _ in range(args.runs):
        painted, cpu = first_paint(command, copy, wanted)
        times.append(painted * 1000)
        cpus.append(cpu * 1000)
    note = (
        f"median of {args.runs} runs (min {min(times):.0f} ms), CPU {benchlib.median(cpus):.0f} ms "
        f"until then: `partybuild --db` a database of {args.n:,} generated articles with spans, "
        f"{SIZE[0]}x{SIZE[1]} pseudo-terminal; {before}"
    )
    figure = f"app first paint, {args.n:,} articles (entry point)"
    return [row(figure, benchlib.median(times), "ms", note)]


def cases(args: argparse.Namespace) -> dict[str, benchlib.Case]:
    found = {
        "help": command_case("partybuild --help", lambda command, _db: [command, "--help"]),
        "list": command_case(
            "partybuild list on the seeds", lambda command, db: [command, "list", "--db", str(db)]
        ),
        "first-paint": case_first_paint,
    }
    if args.db and Path(args.db).exists():
        found[f"first-paint-{args.n}"] = case_first_paint_n
    return found


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per figure")
    parser.add_argument("--partybuild", help="the partybuild script to run")


if __name__ == "__main__":
    raise SystemExit(benchlib.main(cases, __doc__.split("\n\n")[0], add_arguments))
