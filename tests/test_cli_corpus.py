"""The import and list commands, run as a user runs them, then the database read back."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from partybuild_tui.cli import app
from partybuild_tui.core.store import Store

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_import_list_and_reimport(db_path: Path, seeds_copy: Path) -> None:
    code, out = invoke("import", str(seeds_copy), "--no-segment")
    assert code == 0 and "imported" in out and "5" in out
    code, out = invoke("import", str(seeds_copy), "--no-segment")
    assert code == 0 and "duplicates (already stored)" in out
    with Store(db_path) as store:
        assert store.count_articles() == 5
    code, out = invoke("list")
    assert code == 0
    assert "5 of 5 articles" in out and "2019-11-20" in out and "BHG" in out
    code, out = invoke("list", "--search", "Na Tông")
    assert "1 of 1 articles" in out


def test_import_segments_by_default(db_path: Path, seeds_copy: Path) -> None:
    code, _ = invoke("import", str(seeds_copy / "004_d1c8e3284860da81.txt"), "--db", str(db_path))
    assert code == 0
    with Store(db_path) as store:
        assert store.conn.execute("SELECT count(*) FROM tokenizations").fetchone()[0] == 1


def test_import_reports_skips_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    code, out = invoke("import", str(bad), str(tmp_path / "nope"))
    assert code == 1
    assert "bad.txt: binary file" in out and "no such file or folder" in out


def test_user_errors_are_one_line(seeded: Store, tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--status", "finished"])
    assert result.exit_code == 2
    assert "unknown status 'finished'" in result.output
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    result = runner.invoke(app, ["list", "--db", str(corrupt)])
    assert result.exit_code == 2
    assert "corrupt or not a partybuild database" in result.output
    assert "Traceback" not in result.output


def test_help_lists_commands() -> None:
    code, out = invoke("--help")
    assert code == 0 and "import" in out and "list" in out
