"""Confusing messages and tracebacks on odd but honest input: one clear line each.

UTF-16/32 files, label files and databases that are devices, folders or empty names, folders
the import cannot read, lines too large to hold, absurd label sets: each gets one ``error:``
line (or a note, or a listed skip) that says what it is, never a traceback or a wrong reason.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from partybuild_tui.cli import app
from partybuild_tui.config import load_labels
from partybuild_tui.core import corpus
from partybuild_tui.core.store import Store
from partybuild_tui.errors import UserError
from tests.conftest import SEEDS

SEED = SEEDS / "000_e5b5bf95444e5f29.txt"
TITLE = "Đồng Văn xây dựng Đảng vững mạnh từ cơ sở"


def _run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and "╭" not in result.output, result.output
    return result


def _error_line(result: Result) -> str:
    """The one ``error:`` line of a failed command."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


# ---- UTF-16 and UTF-32 -------------------------------------------------------------------------


BOMS = {
    "utf-16-le": b"\xff\xfe",
    "utf-16-be": b"\xfe\xff",
    "utf-32-le": b"\xff\xfe\x00\x00",
    "utf-32-be": b"\x00\x00\xfe\xff",
}


@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_utf16_and_utf32_with_a_bom_are_decoded(
    encoding: str, db_path: Path, tmp_path: Path
) -> None:
    text = SEED.read_text(encoding="utf-8")
    data = BOMS[encoding] + text.encode(encoding)
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    result = _run("import", str(path), "--db", str(db_path), "--no-segment")
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        (article,) = store.list_articles()
        assert article.title == TITLE
        assert store.article(article.id).text == corpus.normalize(text)


def test_utf16_jsonl_is_decoded(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes(json.dumps({"text": "Đảng bộ tỉnh họp"}, ensure_ascii=False).encode("utf-16"))
    assert _run("import", str(path), "--db", str(db_path), "--no-segment").exit_code == 0


def test_utf16_jsonl_for_import_annotations_says_what_it_is(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    record = {"text": "Đảng bộ tỉnh", "spans": []}
    path.write_bytes(json.dumps(record, ensure_ascii=False).encode("utf-16"))
    result = _run("import-annotations", str(path), "--db", str(db_path))
    assert f"skipped {path}: UTF-16 text: JSON lines must be UTF-8; convert it" in result.output


def test_utf16_without_a_bom_is_still_called_binary() -> None:
    with pytest.raises(corpus.UnreadableText, match="binary"):
        corpus.decode("Đảng bộ".encode("utf-16-le"))


def test_a_broken_utf16_file_says_so() -> None:
    with pytest.raises(corpus.UnreadableText, match="UTF-16"):
        corpus.decode(b"\xff\xfe" + "Đảng".encode("utf-16-le") + b"\x00\xd8")


# ---- label files and database paths ------------------------------------------------------------


def test_a_device_as_label_file_is_called_a_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTYBUILD_LABELS", os.devnull)
    with pytest.raises(UserError, match="is not a regular file") as raised:
        load_labels()
    assert "does not exist" not in str(raised.value)


def test_an_empty_db_name_is_one_error_line() -> None:
    line = _error_line(_run("list", "--db", ""))
    assert "--db is empty" in line


def test_a_device_as_database_is_one_error_line() -> None:
    line = _error_line(_run("list", "--db", os.devnull))
    assert f"database {os.devnull} is not a regular file" in line
    assert "disk I/O" not in line


def test_a_folder_as_database_is_one_error_line(tmp_path: Path) -> None:
    for command in (["list"], ["import", str(SEED)], ["stats"]):
        line = _error_line(_run(*command, "--db", str(tmp_path)))
        assert f"database {tmp_path} is a folder" in line


def test_a_folder_as_database_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTYBUILD_DB", str(tmp_path))
    assert f"database {tmp_path} is a folder" in _error_line(_run("list"))


def test_new_folders_for_a_database_are_announced(tmp_path: Path) -> None:
    db = tmp_path / "a" / "new" / "dir" / "x.db"
    result = _run("import", str(SEED), "--db", str(db), "--no-segment")
    assert result.exit_code == 0 and db.exists()
    assert f"note: created folder {db.parent}" in result.output
    again = _run("import", str(SEED), "--db", str(db), "--no-segment")
    assert "created folder" not in again.output


# ---- unreadable folders ------------------------------------------------------------------------


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Listing ``denied`` fails as for a user without permission (tests run as root)."""
    real: Callable[..., Any] = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(os.fsdecode(path)).resolve() == denied.resolve():
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_subfolder_is_listed_as_skipped(
    db_path: Path, seeds_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = seeds_copy / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text("Bài trong thư mục khóa", encoding="utf-8")
    _deny(monkeypatch, locked)
    result = _run("import", str(seeds_copy), "--db", str(db_path), "--no-segment")
    assert result.exit_code == 0
    assert f"skipped {locked}: cannot read folder: Permission denied" in result.output
    with Store(db_path) as store:
        assert store.count_articles() == 5


def test_an_unreadable_folder_argument_is_skipped_and_the_rest_imported(
    db_path: Path, seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    _deny(monkeypatch, locked)
    result = _run("import", str(locked), str(seeds_copy), "--db", str(db_path), "--no-segment")
    assert result.exit_code == 0, result.output
    assert f"skipped {locked}: cannot read folder: Permission denied" in result.output
    with Store(db_path) as store:
        assert store.count_articles() == 5


def test_a_path_that_cannot_be_looked_at_is_skipped(
    db_path: Path, seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path under a folder without search permission: stat itself fails."""
    hidden = tmp_path / "closed" / "a.txt"
    real = Path.stat

    def stat(self: Path, **kwargs: Any) -> os.stat_result:
        if self == hidden:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    result = _run("import", str(hidden), str(seeds_copy), "--db", str(db_path), "--no-segment")
    assert result.exit_code == 0, result.output
    assert f"skipped {hidden}: cannot read: Permission denied" in result.output


# ---- one size policy ---------------------------------------------------------------------------


def test_import_and_import_annotations_refuse_the_same_sizes(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 1000)
    line = json.dumps({"text": "Đảng bộ " * 200, "spans": []}, ensure_ascii=False)
    assert len(line.encode()) > 1000
    small = json.dumps({"text": "Chi bộ thôn Úc họp", "spans": []}, ensure_ascii=False)
    path = tmp_path / "big.jsonl"
    path.write_text(line + "\n" + small + "\n", encoding="utf-8")
    result = _run("import-annotations", str(path), "--db", str(db_path), "--verbose")
    assert f"skipped {path}:1: line too large" in result.output, result.output
    assert "limit 1,000 bytes" in result.output
    with Store(db_path) as store:
        assert store.count_articles() == 1  # the small line after it is read
    single = tmp_path / "big.txt"
    single.write_text("Đảng bộ " * 200, encoding="utf-8")
    result = _run("import", str(single), "--db", str(db_path), "--no-segment")
    assert "file too large" in result.output and "limit 1,000 bytes" in result.output


def test_a_line_at_the_limit_is_accepted(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = json.dumps({"text": "Đảng bộ tỉnh " * 50, "spans": []}, ensure_ascii=False)
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", len(line.encode()))
    path = tmp_path / "edge.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    result = _run("import-annotations", str(path), "--db", str(db_path))
    assert "too large" not in result.output
    with Store(db_path) as store:
        assert store.count_articles() == 1


def test_a_huge_brat_text_is_refused_by_the_same_limit(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus, "MAX_FILE_BYTES", 100)
    (tmp_path / "a.txt").write_text("Đảng bộ " * 50, encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tORGANIZATION 0 7\tĐảng bộ\n", encoding="utf-8")
    result = _run("import-annotations", str(tmp_path / "a.ann"), "--db", str(db_path))
    assert "file too large" in result.output and "limit 100 bytes" in result.output


# ---- absurd label sets -------------------------------------------------------------------------


def _label_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "labels.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PARTYBUILD_LABELS", str(path))
    return path


def test_ten_thousand_labels_are_refused(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "".join(f'[[label]]\nname = "L{i}"\nkeys = ["k{i}"]\n' for i in range(10_000))
    path = _label_file(tmp_path, monkeypatch, text)
    line = _error_line(_run("stats"))
    assert f"label file {path} defines 10,000 labels; at most 64" in line


def test_sixty_four_labels_are_accepted(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = [*"abcdefghijklmnopqrstuvwxyz", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *"0123456789"]
    keys += ["f1", "ctrl+b"]
    text = "".join(f'[[label]]\nname = "L{i}"\nkeys = ["{k}"]\n' for i, k in enumerate(keys))
    _label_file(tmp_path, monkeypatch, text)
    assert len(load_labels().labels) == 64
    assert _run("stats").exit_code == 0


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("[]", "give it a key"),
        ('[","]', "key ',' cannot be bound"),
        ('[" "]', "key ' ' cannot be bound"),
        ('["\\u001b"]', "key '\\x1b' cannot be bound"),
        ('["two words"]', "key 'two words' cannot be bound"),
    ],
)
def test_each_label_needs_a_key_the_app_can_bind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: str, message: str
) -> None:
    path = _label_file(tmp_path, monkeypatch, f'[[label]]\nname = "PLACE"\nkeys = {keys}\n')
    with pytest.raises(UserError, match=str(path)) as raised:
        load_labels()
    assert message in str(raised.value)


def test_a_label_name_with_control_characters_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _label_file(tmp_path, monkeypatch, '[[label]]\nname = "A\\u001b[2J"\nkeys = ["4"]\n')
    with pytest.raises(UserError, match="control characters"):
        load_labels()


def test_an_unknown_key_name_is_refused_when_the_app_starts(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partybuild_tui.tui.app import check_label_keys

    _label_file(tmp_path, monkeypatch, '[[label]]\nname = "PLACE"\nkeys = ["hello"]\n')
    with pytest.raises(UserError, match="'hello' is not a key"):
        check_label_keys(load_labels())
