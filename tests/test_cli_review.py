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
