"""User mistakes found in review: each gives one clear line and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from partybuild_tui.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [["list"], ["suggest", "--source", "rules"], ["evaluate", "--against-accepted"]],
)
def test_reading_commands_do_not_create_a_mistyped_database(
    tmp_path: Path, args: list[str]
) -> None:
    typo = tmp_path / "tema" / "partybuild.db"
    result = runner.invoke(app, [*args, "--db", str(typo)])
    assert result.exit_code == 2
    assert f"database {typo} does not exist" in result.output
    assert "partybuild import" in result.output
    assert not typo.parent.exists()


def test_an_empty_export_hints_at_status_only_when_a_status_was_chosen(seeded: object) -> None:
    done = runner.invoke(app, ["export", "jsonl", "--out", "-"])
    assert done.exit_code == 2
    assert "no article matches status done" in done.output
    assert "--status any exports every status" in done.output
    anyone = runner.invoke(
        app, ["export", "jsonl", "--status", "any", "-a", "nobody", "--out", "-"]
    )
    assert anyone.exit_code == 2
    assert "annotator or layer 'nobody'" in anyone.output
    assert "--status any" not in anyone.output


def test_an_export_under_a_file_names_the_file_in_the_way(seeded: object, tmp_path: Path) -> None:
    blocker = tmp_path / "exports"
    blocker.write_text("not a folder\n", encoding="utf-8")
    out = blocker / "sub" / "data.jsonl"
    result = runner.invoke(app, ["export", "jsonl", "--status", "any", "--out", str(out)])
    assert result.exit_code == 2
    assert f"{blocker} is a file, not a folder" in result.output
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"
