"""Damage outside the database: what an export may do to the files around its target.

An export onto a FIFO or a character device writes into it and leaves it in place (a root
export to /dev/null once replaced the machine's /dev/null with a regular file); a brat export
over an earlier one is swapped in whole, keeps every file it did not write, and a killed
export's temporary files are removed by the next run, which says so.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.store import Store
from tests import safety_driver
from tests.export_support import build_seeded, copy_db

HOOK = Path(__file__).with_name("kill_hook.py")
KILLED = 137


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "gold.db", annotate=True)


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return copy_db(template, tmp_path / "gold.db")


def _export(db: Path, fmt: str, out: Path | str, *more: str) -> Result:
    args = ["export", fmt, "--out", str(out), "--status", "any", *more, "--db", str(db)]
    return CliRunner().invoke(app, args)


def _one_error_line(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    joined = "".join(result.output.split())
    for word in words:
        assert "".join(word.split()) in joined, result.output


def _visible(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but hidden ones (the export's own bookkeeping)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def _parts(folder: Path) -> list[str]:
    """Temporary files and folders (an export's own, or a user's named like them)."""
    found = folder.rglob("*")
    return sorted(str(p.relative_to(folder)) for p in found if p.suffix in (".part", ".old"))


# ---- devices and FIFOs ---------------------------------------------------------------------


def _read_fifo(fifo: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as stream:  # blocks until the export opens it for writing
            into.append(stream.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_export_into_a_fifo_streams_through_it(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _read_fifo(fifo, received)
    result = _export(db, "jsonl", fifo)
    reader.join(timeout=20)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced"
    assert received, "nothing was written into the FIFO"
    rows = [json.loads(line) for line in received[0].decode("utf-8").splitlines()]
    assert len(rows) == 5 and all(row["spans"] for row in rows)
    assert _parts(tmp_path) == []


def _null_device(path: Path) -> Path:
    """A character device node with /dev/null's numbers, made in a temporary folder."""
    null = os.stat("/dev/null")
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, null.st_rdev)
    except PermissionError:
        pytest.skip("cannot make a device node here (needs root)")
    return path


def _is_null(path: Path) -> bool:
    info = os.lstat(path)
    return stat.S_ISCHR(info.st_mode) and info.st_rdev == os.stat("/dev/null").st_rdev


@pytest.mark.parametrize("fmt", ["jsonl", "conll"])
def test_export_onto_a_character_device_writes_into_it(db: Path, tmp_path: Path, fmt: str) -> None:
    node = _null_device(tmp_path / "null")
    result = _export(db, fmt, node)
    assert result.exit_code == 0, result.output
    assert _is_null(node), "the device node was replaced by a regular file"
    assert _parts(tmp_path) == []
    # the same export to the machine's /dev/null, only now that a copy of it survived
    result = _export(db, fmt, "/dev/null")
    assert result.exit_code == 0, result.output
    assert _is_null(Path("/dev/null"))


def test_export_onto_a_socket_is_refused(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        _one_error_line(_export(db, "jsonl", path), str(path), "socket")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()
    assert _parts(tmp_path) == []


def _run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "partybuild_tui", *args]
    return subprocess.run(command, env=safety_driver.child_env(), capture_output=True, timeout=120)


def test_export_to_standard_output_by_any_name(db: Path, tmp_path: Path) -> None:
    """'-', a link to /proc/self/fd/1 and /dev/stdout all write the data to standard output,
    the summary to standard error, and replace nothing."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    names = ["-", str(link)]
    for name in [*names, "/dev/stdout"]:
        done = _run(["export", "jsonl", "--status", "any", "--db", str(db), "--out", name])
        assert done.returncode == 0, done.stderr
        rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
        assert len(rows) == 5, name
        assert b"Export (jsonl)" in done.stderr
        assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"
        assert _parts(tmp_path) == []
    assert Path("/dev/stdout").is_symlink()


# ---- --split -------------------------------------------------------------------------------


@pytest.mark.parametrize("ratios", ["nan,1", "inf,1", "1,-inf", "0.8,nan,0.1", "1e400,1"])
def test_split_of_non_finite_ratios_is_one_error_line(
    db: Path, tmp_path: Path, ratios: str
) -> None:
    _one_error_line(_export(db, "jsonl", tmp_path / "out", "--split", ratios), "--split")
    assert not (tmp_path / "out").exists()


# ---- brat over an earlier export ----------------------------------------------------------


def _change_annotations(db: Path) -> None:
    """Drop article 5 from the export and every span of article 1: old and new differ."""
    with Store(db) as store:
        store.set_status(5, "in_progress", "tester")
        ids = [span.id for span in store.spans(1)]
        for span_id in ids:
            store.delete_span(span_id, "tester")


def _brat(db: Path, out: Path) -> Result:
    """The done articles (article 5 drops out once it is back in progress)."""
    return CliRunner().invoke(app, ["export", "brat", "--out", str(out), "--db", str(db)])


def test_brat_export_keeps_files_it_did_not_write(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    assert _brat(db, out).exit_code == 0
    first = _visible(out)
    user = {
        "README.md": b"my notes\n",
        "0123456789abcdef.txt": b"looks like an export file, is not\n",
        "0123456789abcdef.ann": b"T1\tFIGURE 0 5\tlooks\n",
        "annotation.conf.bak": b"[entities]\nMINE\n",
        "sub/keep.ann": b"mine too\n",
    }
    for name, data in user.items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_bytes(data)
    _change_annotations(db)
    result = _brat(db, out)
    assert result.exit_code == 0, result.output
    now = _visible(out)
    for name, data in user.items():
        assert now.get(name) == data, f"{name} was not kept"
    written = {name for name in now if name not in user}
    assert len(written) == len(first) - 2, "article 5's pair is no longer exported"
    assert _parts(tmp_path) == []


def test_brat_export_over_a_folder_without_manifest(db: Path, tmp_path: Path) -> None:
    """A folder written by an earlier version (no record of what it wrote): its files are
    recognised by their content (the text's hash is in the name), anything else is kept."""
    out = tmp_path / "brat"
    assert _brat(db, out).exit_code == 0
    for hidden in out.glob(".*"):
        hidden.unlink()
    first = _visible(out)
    (out / "fedcba9876543210.txt").write_bytes(b"a user's text\n")
    _change_annotations(db)
    assert _brat(db, out).exit_code == 0
    now = _visible(out)
    assert now["fedcba9876543210.txt"] == b"a user's text\n"
    assert len(now) == len(first) - 2 + 1


def test_brat_export_refuses_to_overwrite_a_file_it_did_not_write(db: Path, tmp_path: Path) -> None:
    """A user's file in the way of a file the export must write: refused, nothing changed."""
    with Store(db) as store:
        store.set_status(5, "in_progress", "tester")
        stem = store.article(5).content_hash[:16]
    out = tmp_path / "brat"
    assert _brat(db, out).exit_code == 0
    (out / f"{stem}.ann").write_text("T1\tFIGURE 0 3\tmy own annotation\n", encoding="utf-8")
    before = _visible(out)
    with Store(db) as store:
        store.set_status(5, "done", "tester")
    _one_error_line(_brat(db, out), f"{stem}.ann", "not written by")
    assert _visible(out) == before
    assert _parts(tmp_path) == []


def _hooked(kill_at: int, calls: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(HOOK), str(kill_at), calls, "--", *args]
    env = safety_driver.child_env()
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


FILE_CALLS = "replace,rename,rmdir"


@pytest.mark.parametrize("swapping", ["exchange", "noexchange"])
def test_brat_export_killed_at_any_file_call_leaves_old_or_new(
    db: Path, tmp_path: Path, swapping: str
) -> None:
    """Killed at every rename, rmdir or exchange in turn: the folder is the old export or the
    new one (with two renames instead of one exchange, it may be missing: the next run puts
    the old one back), and the next run completes with nothing left behind."""
    calls_hooked = f"{FILE_CALLS},{swapping}"
    changed = copy_db(db, tmp_path / "changed.db")
    _change_annotations(changed)
    out = tmp_path / "brat"
    args = ["export", "brat", "--out", str(out), "--db", str(changed)]
    assert _brat(db, out).exit_code == 0
    old = _visible(out)
    counting = _hooked(0, calls_hooked, args)
    assert counting.returncode == 0, counting.stderr
    calls = int(counting.stderr.rsplit("calls ", 1)[1])
    new = _visible(out)
    assert new != old
    for kill_at in range(1, calls + 1):
        assert _brat(db, out).exit_code == 0
        assert _visible(out) == old
        killed = _hooked(kill_at, calls_hooked, args)
        assert killed.returncode == KILLED, (kill_at, killed.stderr)
        state = _visible(out)
        missing = swapping == "noexchange" and not out.exists()
        assert state in (old, new) or missing, f"killed at file call {kill_at} of {calls}: a mix"
        again = _brat(changed, out)
        assert again.exit_code == 0, again.output
        assert not missing or "put back" in again.output
        assert _visible(out) == new
        assert _parts(tmp_path) == [], f"killed at file call {kill_at}: leftovers"


# ---- temporary files of killed exports --------------------------------------------------------


def test_a_killed_export_leaves_parts_the_next_run_removes(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "data.jsonl"
    args = ["export", "jsonl", "--status", "any", "--out", str(target), "--db", str(db)]
    for _ in range(3):  # each run removes what the one before it left
        assert _hooked(1, "replace", args).returncode == KILLED  # dies before publishing
        assert len(_parts(out)) == 1 and not target.exists()
    hour_ago = time.time() - 3600
    for legacy in (".data.jsonl.k3_x9zqa.part", ".data.jsonl.0123456789ab.part"):
        (out / legacy).write_text("left by an older version\n", encoding="utf-8")
        os.utime(out / legacy, (hour_ago, hour_ago))
    kept = [".notes.part", ".mine.txt.k3_x9zqa.part"]  # not ours, or not an export's name
    for name in kept:
        (out / name).write_text("not the export's\n", encoding="utf-8")
        os.utime(out / name, (hour_ago, hour_ago))
    result = _export(db, "jsonl", target)
    assert result.exit_code == 0, result.output
    assert _parts(out) == sorted(kept)
    text = " ".join(result.output.split())
    assert "removed 3 temporary files left by interrupted exports" in text, result.output


def test_a_killed_brat_export_leaves_a_folder_the_next_run_removes(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "brat"
    args = ["export", "brat", "--status", "any", "--out", str(out), "--db", str(db)]
    assert _hooked(5, "open", args).returncode == KILLED  # while it writes the files
    assert _parts(tmp_path), "the killed export left nothing to clean"
    result = _export(db, "brat", out)
    assert result.exit_code == 0, result.output
    assert _parts(tmp_path) == []
    assert "interrupted exports" in " ".join(result.output.split())


def test_temporary_files_of_a_running_export_are_left_alone(db: Path, tmp_path: Path) -> None:
    """A temporary file named for a live process (this one) is another export's, in progress."""
    out = tmp_path / "out"
    out.mkdir()
    live = out / f".data.jsonl.{os.getpid()}-0123456789ab.part"
    live.write_text("in progress\n", encoding="utf-8")
    assert _export(db, "jsonl", out / "data.jsonl").exit_code == 0
    assert live.exists()
