"""An export that cannot be written: a read-only target or folder, and a disk that fills up.

Each case runs the real `partybuild export` and checks one "error:" line naming the path, no
traceback, the previous export untouched and no temporary file left behind. As root,
read-only is made with `chattr +i` (root ignores permission bits) and a full disk is a tiny
tmpfs; both are skipped where the system does not allow them.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.export.swap import MANIFEST
from tests.export_support import build_seeded, copy_db
from tests.safety_support import read_only

OLD = '{"the": "previous export"}\n'


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded(tmp_path_factory.mktemp("tpl") / "gold.db", annotate=True)


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return copy_db(template, tmp_path / "gold.db")


def _export(db: Path, fmt: str, out: Path, *more: str) -> Result:
    args = ["export", fmt, "--out", str(out), "--status", "any", *more, "--db", str(db)]
    return CliRunner().invoke(app, args)


def _assert_one_error_line(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.output
    assert lines[-1] == errors[0], "nothing may follow the error"
    joined = "".join(result.output.split())  # the line may wrap in a narrow terminal
    for word in expected:
        assert "".join(word.split()) in joined, result.output


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _leftovers(folder: Path) -> list[str]:
    """Hidden or temporary files, but the record of what a brat export wrote."""
    found = folder.rglob("*")
    return [
        p.name
        for p in found
        if (p.name.startswith(".") or p.suffix == ".part") and p.name != MANIFEST
    ]


@contextmanager
def _tiny_disk(folder: Path, size: int) -> Iterator[Path]:
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


# ---- read-only -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "conll"])
def test_read_only_folder_keeps_the_old_export(db: Path, tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / f"data.{fmt}"
    target.write_text(OLD, encoding="utf-8")
    with read_only(folder):
        _assert_one_error_line(_export(db, fmt, target), "cannot write", str(target))
    assert _files(folder) == {target.name: OLD.encode()}
    assert _leftovers(folder) == []


def test_read_only_file_keeps_the_old_export(db: Path, tmp_path: Path) -> None:
    """The folder is writable (the temporary file is made) but the target cannot be replaced."""
    target = tmp_path / "out" / "x.jsonl"
    target.parent.mkdir()
    target.write_text(OLD, encoding="utf-8")
    with read_only(target):
        result = _export(db, "jsonl", target)
    if os.geteuid() != 0 and result.exit_code == 0:
        pytest.skip("without root a read-only file in a writable folder can be replaced")
    _assert_one_error_line(result, "cannot write", str(target))
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(target.parent) == []


def test_read_only_brat_folder_keeps_the_old_export(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "brat"
    first = _export(db, "brat", out)
    assert first.exit_code == 0, first.output
    before = _files(out)
    with read_only(out):
        _assert_one_error_line(_export(db, "brat", out), "cannot write", str(out))
    assert _files(out) == before
    assert _leftovers(out) == []


# ---- full disk -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "more"),
    [("jsonl", ()), ("conll", ()), ("hf", ("--split", "0.6,0.2,0.2")), ("brat", ())],
)
def test_full_disk_during_export(db: Path, tmp_path: Path, fmt: str, more: tuple[str]) -> None:
    """The export is bigger than the disk: it fails in one line and the old export stays."""
    with _tiny_disk(tmp_path / "tiny", 48 * 1024) as disk:
        out = disk / "export"
        out.mkdir()
        (out / "data.old").write_text(OLD, encoding="utf-8")
        result = _export(db, fmt, out / "new" if fmt == "brat" else out, *more)
        _assert_one_error_line(result, "cannot write", str(out), "No space left on device")
        assert _files(out) == {"data.old": OLD.encode()}
        assert _leftovers(disk) == []
        assert [p.name for p in disk.rglob("*")] == ["export", "data.old"], "no folder left"


def test_full_disk_keeps_the_previous_file_of_the_same_name(db: Path, tmp_path: Path) -> None:
    with _tiny_disk(tmp_path / "tiny", 48 * 1024) as disk:
        target = disk / "x.jsonl"
        target.write_text(OLD, encoding="utf-8")
        _assert_one_error_line(_export(db, "jsonl", target), str(target), "No space left")
        assert target.read_text(encoding="utf-8") == OLD
        assert _leftovers(disk) == []


def test_an_existing_file_without_extension_is_overwritten_as_a_file(
    db: Path, tmp_path: Path
) -> None:
    """The disk decides before the name: 'data' that exists as a file is the target."""
    target = tmp_path / "data"
    target.write_text(OLD, encoding="utf-8")
    result = _export(db, "jsonl", target)
    assert result.exit_code == 0, result.output
    assert target.is_file()
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert rows and all("spans" in row for row in rows)


def test_a_new_name_without_extension_is_still_a_folder(db: Path, tmp_path: Path) -> None:
    result = _export(db, "jsonl", tmp_path / "fresh")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh" / "data.jsonl").is_file()


def test_split_to_an_existing_file_is_still_refused(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.write_text(OLD, encoding="utf-8")
    result = _export(db, "jsonl", target, "--split", "80,10,10")
    _assert_one_error_line(result, f"{target} is a file")
    assert target.read_text(encoding="utf-8") == OLD
